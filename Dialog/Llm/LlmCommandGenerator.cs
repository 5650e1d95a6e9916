using System.Text.Json;
using Microsoft.Extensions.AI;
using Switchboard.Dialog.Definition;

namespace Switchboard.Dialog.Llm;

/// <summary>
/// Asks a chat model (any OpenAI-compatible endpoint in the customer's network, through <see cref="IChatClient"/>) which
/// dialog commands a turn means, as JSON, and keeps only those the bot allows. A timeout, an error, malformed JSON or
/// nothing valid gives an empty list: the engine then goes on with its embedded path. Only tokenized text is sent.
/// </summary>
public sealed class LlmCommandGenerator(IChatClient chat, TimeSpan timeout, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <param name="tokenizedText">The customer's words after PII tokenization (<see cref="DialogTurn.Text"/>).</param>
    /// <param name="openFlow">The open flow's name, or null.</param>
    public async Task<IReadOnlyList<DialogCommand>> ProposeAsync(BotDefinition bot, string tokenizedText, string? openFlow, string? pendingSlot, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout > TimeSpan.Zero ? timeout : Timeout.InfiniteTimeSpan);
        string answer;
        try
        {
            var response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, Instructions(bot, openFlow, pendingSlot)), new ChatMessage(ChatRole.User, tokenizedText)],
                new ChatOptions { Temperature = 0, ResponseFormat = ChatResponseFormat.Json }, cts.Token).WaitAsync(timeout > TimeSpan.Zero ? timeout : Timeout.InfiniteTimeSpan, time, cts.Token);
            answer = response.Text;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Timeouts, transport errors, the client library's own error types (ClientResultException for OpenAI): the
            // model is optional, so whatever it does wrong, the turn goes on without it.
            return [];
        }
        return Validate(bot, Parse(answer), tokenizedText, openFlow);
    }

    /// <summary>The model's JSON as commands; anything unreadable is nothing.</summary>
    public static IReadOnlyList<DialogCommand> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        var start = json.IndexOf('{');
        var end = json.LastIndexOf('}');
        if (start < 0 || end <= start) return [];
        try
        {
            var doc = JsonSerializer.Deserialize<Proposal>(json[start..(end + 1)], Json);
            var list = new List<DialogCommand>();
            foreach (var c in doc?.Commands ?? [])
            {
                if (c?.Type is null) continue;
                var kind = c.Type.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
                {
                    "startflow" => DialogCommandKind.StartFlow,
                    "setslot" => DialogCommandKind.SetSlot,
                    "correctslot" => DialogCommandKind.CorrectSlot,
                    "cancel" => DialogCommandKind.Cancel,
                    "handoff" => DialogCommandKind.HandOff,
                    "answerdigression" => DialogCommandKind.AnswerDigression,
                    _ => (DialogCommandKind?)null,
                };
                if (kind is { } k) list.Add(new DialogCommand(k, c.Flow, c.Slot, c.Value, c.Intent));
            }
            return list;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Drops every command the bot does not allow: unknown flows, slots outside the flow, values the customer never said.</summary>
    public static IReadOnlyList<DialogCommand> Validate(BotDefinition bot, IReadOnlyList<DialogCommand> commands, string tokenizedText, string? openFlow)
    {
        var kept = new List<DialogCommand>();
        var flow = bot.Flow(openFlow);
        foreach (var c in commands)
        {
            switch (c.Kind)
            {
                case DialogCommandKind.StartFlow when bot.Flow(c.Flow) is { } started:
                    kept.Add(c);
                    flow = started;
                    break;
                case DialogCommandKind.SetSlot or DialogCommandKind.CorrectSlot
                    when flow?.Slot(c.Slot) is { Secret: false } && !string.IsNullOrWhiteSpace(c.Value)
                         && tokenizedText.Contains(c.Value.Trim(), StringComparison.OrdinalIgnoreCase):
                    kept.Add(c with { Value = c.Value.Trim() });
                    break;
                case DialogCommandKind.Cancel when flow is not null:
                case DialogCommandKind.HandOff:
                    kept.Add(c);
                    break;
                case DialogCommandKind.AnswerDigression when c.Intent is { } i && bot.Intents.Any(x => x.Name == i)
                                                              && (IntentDefinition.Global.Contains(i) || bot.FlowForIntent(i) is null):
                    kept.Add(c);
                    break;
            }
        }
        return kept;
    }

    private static string Instructions(BotDefinition bot, string? openFlow, string? pendingSlot)
    {
        var flows = string.Join("; ", bot.Flows.Select(f => $"{f.Name} (slots: {string.Join(", ", f.Slots.Select(s => s.Name))})"));
        var intents = string.Join(", ", bot.Intents.Where(i => bot.FlowForIntent(i.Name) is null).Select(i => i.Name));
        return "You read one customer message to a service bot and answer only JSON: {\"commands\":[...]}. Each command has a "
             + "\"type\": start_flow (\"flow\"), set_slot or correct_slot (\"slot\", \"value\" copied word for word from the message), "
             + "cancel, hand_off, answer_digression (\"intent\"). Use only these flows: " + flows + ". Digression intents: " + intents + ". "
             + $"Open flow: {openFlow ?? "none"}; pending question: {pendingSlot ?? "none"}. Tokens like {{{{card:...}}}} are hidden values: never expand them. "
             + "No command when unsure.";
    }

    private sealed class Proposal
    {
        public List<RawCommand?>? Commands { get; set; }
    }

    private sealed class RawCommand
    {
        public string? Type { get; set; }
        public string? Flow { get; set; }
        public string? Slot { get; set; }
        public string? Value { get; set; }
        public string? Intent { get; set; }
    }
}

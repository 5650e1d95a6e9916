using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Dialog;

/// <summary>What a tenant's engine needs besides its bot: the number customers are offered to call, the backend, HTTP.</summary>
public sealed record DialogEngineSettings
{
    public string? VoiceNumber { get; init; }
    /// <summary>Overrides the bot's <c>settings.backend</c> (configuration <c>Bots:Backends:{bot}</c>).</summary>
    public Uri? Backend { get; init; }
    public TimeSpan SessionTokenLifetime { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>The optional language model (<c>Bots:Llm</c>), asked only when neither the classifier nor the encoder found an intent.</summary>
    public Llm.LlmCommandGenerator? Llm { get; init; }
    public TimeSpan CallCodeLifetime { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>After this long without a voice turn, the next voice turn starts with the persona's voice notice again.</summary>
    public TimeSpan VoiceNoticeGap { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// Renders the PII tokens in a written reply for people (<c>{{card:1111:…}}</c> → "the card ending 1111"). The host
    /// passes the vault's renderer (<c>PiiDisplay.Humanize</c>); without one, text is shown as the engine holds it.
    /// </summary>
    public Func<string, string> ShowTokens { get; init; } = static text => text;
}

/// <summary>
/// The conversation engine for one tenant: tokenized input → NLU (intent + entities) → dialog step (flows, slots,
/// confirmation, actions, global handling) → one channel-agnostic reply in the persona's words. Resumes an open flow
/// on whatever channel the customer comes back on, naming the earlier channel and the pending step.
/// </summary>
/// <remarks>Pure code over <see cref="DialogTurn"/>; the customer grain reaches it through <c>Grains/Dialog/DialogConversationEngine.cs</c>.</remarks>
public sealed class DialogEngine(BotRuntime bot, DialogEngineSettings settings, DialogBackend backend, ILogger logger, DialogTrace? trace = null)
{
    public BotRuntime Bot { get; } = bot;

    public async ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var step = new DialogStep(Bot, settings, backend, logger, turn);
        var reply = await step.RunAsync(cancellationToken);
        trace?.Record(turn.Tenant, turn.CustomerId, step.Act);

        var prefix = new StringBuilder();
        if (turn.Channel == Channel.Voice && Bot.Definition.Persona.VoiceNotice is { } notice && NeedsVoiceNotice(turn))
            prefix.Append(notice.Render(step.Lookup)).Append(' ');
        if (step.ResumeLine is { } resume) prefix.Append(resume).Append(' ');
        if (turn.Channel == Channel.Voice) turn.EngineData[EngineDataKeys.LastVoiceTurn] = turn.Now.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (prefix.Length > 0) reply = reply with { Text = prefix.Append(reply.Text).ToString() };

        reply = reply with
        {
            Text = Shown(turn, Bot.ApplyVocabulary(reply.Text)),
            Options = reply.Options?.Select(o => o with { Title = Shown(turn, Bot.ApplyVocabulary(o.Title)) }).ToList(),
            Completed = reply.Completed is { } done ? done with { Confirmation = settings.ShowTokens(done.Confirmation) } : null,
        };
        reply = reply with { Expect = ReplyExpectations.For(Bot.Definition, turn.Ephemeral) };
        if (!step.IsRepeat) LastReply.Save(turn.EngineData, reply);
        return reply;
    }

    /// <summary>
    /// A slot or the customer's own words may hold a PII token: people read "the card ending 1111", never the token. On a
    /// call the voice renderer speaks tokens itself ("the card ending in one one one one"), so they stay for it.
    /// </summary>
    private string Shown(DialogTurn turn, string text) => turn.Channel == Channel.Voice ? text : settings.ShowTokens(text);

    private bool NeedsVoiceNotice(DialogTurn turn) =>
        !turn.EngineData.TryGetValue(EngineDataKeys.LastVoiceTurn, out var last)
        || !long.TryParse(last, out var ticks)
        || turn.Now.UtcTicks - ticks > settings.VoiceNoticeGap.Ticks;
}

/// <summary>Keys of <see cref="DialogTurn.EngineData"/> the dialog engine owns.</summary>
public static class EngineDataKeys
{
    public const string ExpectSecretDigits = "expect-secret-digits";
    public const string LastText = "dialog:last-text";
    public const string LastStyle = "dialog:last-style";
    public const string LastOptions = "dialog:last-options";
    public const string LastVoiceTurn = "dialog:last-voice";
    /// <summary>Slots that were filled when the customer last switched channel (the zero-repeat metric watches them).</summary>
    public const string SwitchFilled = "dialog:switch-filled";
    public const string SwitchRepeatCounted = "dialog:switch-repeat-counted";
    public const string RememberPrefix = "dialog:remember:";
}

/// <summary>The last reply, kept so "repeat" and option numbers ("press 2") work on the next turn, whatever the channel.</summary>
public static class LastReply
{
    private const char Field = '\u001f';
    private const char Record = '\u001e';

    public static void Save(Dictionary<string, string> data, EngineReply reply)
    {
        data[EngineDataKeys.LastText] = reply.Text;
        data[EngineDataKeys.LastStyle] = ((int)reply.Style).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (reply.OptionList.Count == 0) data.Remove(EngineDataKeys.LastOptions);
        else data[EngineDataKeys.LastOptions] = string.Join(Record, reply.OptionList.Select(o => o.Id + Field + o.Title));
    }

    public static IReadOnlyList<ReplyOption> Options(Dictionary<string, string> data)
    {
        if (!data.TryGetValue(EngineDataKeys.LastOptions, out var s) || s.Length == 0) return [];
        return s.Split(Record).Select(r => r.Split(Field)).Where(p => p.Length == 2).Select(p => new ReplyOption(p[0], p[1])).ToList();
    }

    public static EngineReply? Load(Dictionary<string, string> data)
    {
        if (!data.TryGetValue(EngineDataKeys.LastText, out var text)) return null;
        var style = data.TryGetValue(EngineDataKeys.LastStyle, out var st) && int.TryParse(st, out var n) && Enum.IsDefined((ReplyStyle)n) ? (ReplyStyle)n : ReplyStyle.Text;
        var options = Options(data);
        return new EngineReply(text, style, options.Count == 0 ? null : options);
    }
}

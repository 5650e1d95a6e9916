using System.Text.Json.Nodes;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Rcs;

/// <summary>
/// An <see cref="EngineReply"/> as an RBM <c>contentMessage</c>: text plus suggested replies (≤ 11, text ≤ 25) and
/// actions (dial for "call us", open URL for "continue on web"). Options that do not fit become numbered text.
/// </summary>
public static class RcsRenderer
{
    public const int MaxText = 3072;
    public const int MaxSuggestions = 11;
    public const int MaxSuggestionText = 25;
    public const int MaxPostback = 2048;

    public static JsonObject Render(EngineReply reply, string? voiceNumber = null, string? callCode = null, string? webLink = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = reply.Text.Trim();
        if (reply.Card is { } card)
            text = $"{card.Title}{(string.IsNullOrWhiteSpace(card.Subtitle) ? "" : " - " + card.Subtitle)}\n"
                   + string.Concat((card.Facts ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}: {kv.Value}\n")) + text;
        var suggestions = new JsonArray();
        var options = reply.OptionList;
        var actionCount = reply.Action?.Kind is ReplyActionKind.CallUs or ReplyActionKind.ContinueOnWeb ? 1 : 0;
        var fits = options.Count + actionCount <= MaxSuggestions
                   && options.All(o => o.Title.Length is > 0 and <= MaxSuggestionText && o.Id.Length is > 0 and <= MaxPostback);
        if (fits)
            foreach (var o in options)
                suggestions.Add(new JsonObject { ["reply"] = new JsonObject { ["text"] = o.Title, ["postbackData"] = o.Id } });
        else if (options.Count > 0)
            text += "\n" + string.Join("\n", options.Select((o, i) => $"{i + 1}. {o.Title}")) + "\nReply with a number.";

        switch (reply.Action?.Kind)
        {
            case ReplyActionKind.CallUs when (reply.Action.Target ?? voiceNumber) is { } number:
                if (callCode is not null) text += $"\nIf your number is hidden, key *{callCode}# when asked.";
                suggestions.Add(new JsonObject
                {
                    ["action"] = new JsonObject { ["text"] = "Call us", ["postbackData"] = "call_us", ["dialAction"] = new JsonObject { ["phoneNumber"] = number } },
                });
                break;
            case ReplyActionKind.ContinueOnWeb when webLink is not null:
                suggestions.Add(new JsonObject
                {
                    ["action"] = new JsonObject { ["text"] = "Continue on web", ["postbackData"] = "continue_on_web", ["openUrlAction"] = new JsonObject { ["url"] = webLink } },
                });
                break;
        }
        if (text.Length > MaxText) text = text[..(MaxText - 3)] + "...";
        var content = new JsonObject { ["text"] = text.Length == 0 ? "…" : text };
        if (suggestions.Count > 0) content["suggestions"] = suggestions;
        return new JsonObject { ["contentMessage"] = content };
    }
}

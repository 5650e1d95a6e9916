using System.Text.Json.Nodes;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.WebChat;

/// <summary>An <see cref="EngineReply"/> as the chat page's rich JSON: text, buttons or list options, a card, and an action (call us, agent).</summary>
public static class WebChatRenderer
{
    public static JsonObject Render(EngineReply reply, string replyTo, string? voiceNumber = null, string? callCode = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var frame = new JsonObject
        {
            ["type"] = "reply",
            ["replyTo"] = replyTo,
            ["text"] = reply.Text,
            ["style"] = reply.Style.ToString().ToLowerInvariant(),
            ["options"] = new JsonArray(reply.OptionList.Select(o =>
            {
                var opt = new JsonObject { ["id"] = o.Id, ["title"] = o.Title };
                if (o.Description is not null) opt["description"] = o.Description;
                return (JsonNode)opt;
            }).ToArray()),
        };
        if (reply.Card is { } card)
            frame["card"] = new JsonObject
            {
                ["title"] = card.Title,
                ["subtitle"] = card.Subtitle,
                ["facts"] = new JsonObject((card.Facts ?? new Dictionary<string, string>()).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            };
        switch (reply.Action?.Kind)
        {
            case ReplyActionKind.CallUs when (reply.Action.Target ?? voiceNumber) is { } number:
                frame["action"] = new JsonObject { ["kind"] = "call", ["number"] = number, ["code"] = callCode };
                break;
            case ReplyActionKind.HandToAgent:
                frame["action"] = new JsonObject { ["kind"] = "agent" };
                break;
            case ReplyActionKind.EndConversation:
                frame["action"] = new JsonObject { ["kind"] = "end" };
                break;
        }
        return frame;
    }

    /// <summary>
    /// A customer's own turn replayed in the history as they saw it: a clicked button is its title, not the transcript's
    /// <c>[choice id] title</c> form (which keeps the option id for agents and analytics).
    /// </summary>
    public static string AsTheCustomerSawIt(string transcriptText)
    {
        if (!transcriptText.StartsWith("[choice ", StringComparison.Ordinal)) return transcriptText;
        var close = transcriptText.IndexOf("] ", StringComparison.Ordinal);
        return close > 0 && close + 2 < transcriptText.Length ? transcriptText[(close + 2)..] : transcriptText;
    }
}

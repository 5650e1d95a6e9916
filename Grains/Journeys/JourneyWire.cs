using System.Text.Json.Nodes;
using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// A journey step's outbox body in each channel's wire form (the silo cannot call channel code): a Graph API message
/// object (text, reply buttons or an approved template), an RBM <c>contentMessage</c> with suggested replies, an SMS
/// <c>{"body"}</c>, and for a call the request the gateway's journey call channel turns into a proactive call.
/// </summary>
internal static class JourneyWire
{
    public static string Recipient(JourneyChannel channel, string e164) => channel == JourneyChannel.WhatsApp ? e164.TrimStart('+') : e164;

    public static string Body(StepEffect e, string purpose) => (e.Channel, e.Kind) switch
    {
        (_, SendKind.Call) => new JsonObject { ["reason"] = e.Reason, ["flow"] = e.Flow, ["purpose"] = purpose }.ToJsonString(),
        (JourneyChannel.WhatsApp, SendKind.Template) => new JsonObject
        {
            ["type"] = "template",
            ["template"] = new JsonObject { ["name"] = e.Template, ["language"] = new JsonObject { ["code"] = "en" } },
        }.ToJsonString(),
        (JourneyChannel.WhatsApp, _) when e.Suggestions.Count > 0 => new JsonObject
        {
            ["type"] = "interactive",
            ["interactive"] = new JsonObject
            {
                ["type"] = "button",
                ["body"] = new JsonObject { ["text"] = Cap(e.Text ?? "", 1024) },
                ["action"] = new JsonObject { ["buttons"] = new JsonArray(e.Suggestions.Take(3).Select((s, i) => (JsonNode)new JsonObject { ["type"] = "reply", ["reply"] = new JsonObject { ["id"] = $"s{i}", ["title"] = Cap(s, 20) } }).ToArray()) },
            },
        }.ToJsonString(),
        (JourneyChannel.WhatsApp, _) => new JsonObject { ["type"] = "text", ["text"] = new JsonObject { ["preview_url"] = false, ["body"] = Cap(e.Text ?? "", 4096) } }.ToJsonString(),
        (JourneyChannel.Rcs, _) => Rcs(e),
        _ => new JsonObject { ["body"] = e.Text ?? "" }.ToJsonString(),
    };

    public static string Summary(StepEffect e) => e.Kind switch
    {
        SendKind.Call => $"[journey call {e.StepId}]",
        SendKind.Template => $"[template {e.Template}]",
        _ => $"[journey {e.StepId}]",
    };

    private static string Rcs(StepEffect e)
    {
        var content = new JsonObject { ["text"] = e.Text ?? "" };
        if (e.Suggestions.Count > 0)
            content["suggestions"] = new JsonArray(e.Suggestions.Take(11).Select((s, i) => (JsonNode)new JsonObject { ["reply"] = new JsonObject { ["text"] = Cap(s, 25), ["postbackData"] = $"s{i}" } }).ToArray());
        return new JsonObject { ["contentMessage"] = content }.ToJsonString();
    }

    private static string Cap(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}

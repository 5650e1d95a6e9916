using System.Text.Json;

namespace Switchboard.Bench.Webhooks;

/// <summary>The one text message of a webhook body, read the way a small handler would: sender, wamid and text.</summary>
public readonly record struct InboundText(string From, string MessageId, string Text)
{
    public static InboundText? Parse(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body);
        foreach (var entry in doc.RootElement.GetProperty("entry").EnumerateArray())
            foreach (var change in entry.GetProperty("changes").EnumerateArray())
            {
                if (!change.GetProperty("value").TryGetProperty("messages", out var messages)) continue;
                foreach (var m in messages.EnumerateArray())
                {
                    if (m.GetProperty("type").GetString() != "text") continue;
                    return new InboundText(m.GetProperty("from").GetString()!, m.GetProperty("id").GetString()!, m.GetProperty("text").GetProperty("body").GetString() ?? "");
                }
            }
        return null;
    }
}

using System.Globalization;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Turns one Cloud API message into the engine's <see cref="InboundTurn"/>; null for types we do not read (contacts, system, order, unsupported).</summary>
public static class WhatsAppInbound
{
    public static InboundTurn? ToTurn(string tenant, WaMessage m)
    {
        var (text, payload) = m.Type switch
        {
            "text" => (m.Text?.Body, (TurnPayload?)null),
            "interactive" when m.Interactive?.ButtonReply is { } b => (null, new TurnPayload(PayloadKind.Choice, b.Id, b.Title)),
            "interactive" when m.Interactive?.ListReply is { } l => (null, new TurnPayload(PayloadKind.Choice, l.Id, l.Title,
                l.Description is null ? null : new Dictionary<string, string> { ["description"] = l.Description })),
            "button" when m.Button is { } b => (null, new TurnPayload(PayloadKind.Choice, b.Payload, b.Text)),
            "location" when m.Location is { } loc => (null, new TurnPayload(PayloadKind.Location, null, loc.Name ?? "shared location", Fields(
                ("latitude", loc.Latitude.ToString(CultureInfo.InvariantCulture)),
                ("longitude", loc.Longitude.ToString(CultureInfo.InvariantCulture)),
                ("name", loc.Name), ("address", loc.Address)))),
            "image" or "audio" or "video" or "document" or "sticker" when Media(m) is { } media => (media.Caption, new TurnPayload(PayloadKind.Media, media.Id, m.Type,
                Fields(("type", m.Type), ("mime_type", media.MimeType), ("sha256", media.Sha256), ("filename", media.Filename)))),
            "reaction" when m.Reaction is { } r => (null, new TurnPayload(PayloadKind.Reaction, r.MessageId, r.Emoji)),
            _ => (null, null),
        };
        if (text is null && payload is null) return null;
        var time = UnixTime(m.Timestamp) ?? default;
        return new InboundTurn(tenant, Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, m.From ?? ""), m.Id!, text, payload, time);
    }

    private static WaMedia? Media(WaMessage m) => m.Type switch
    {
        "image" => m.Image,
        "audio" => m.Audio,
        "video" => m.Video,
        "document" => m.Document,
        "sticker" => m.Sticker,
        _ => null,
    };

    private static Dictionary<string, string> Fields(params (string Key, string? Value)[] pairs)
    {
        var d = new Dictionary<string, string>();
        foreach (var (k, v) in pairs) if (!string.IsNullOrEmpty(v)) d[k] = v;
        return d;
    }

    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>A webhook timestamp as a time; null when absent or out of range (found by the live fuzz campaign: it was a 500).</summary>
    public static DateTimeOffset? UnixTime(long seconds) => seconds > 0 && seconds <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}

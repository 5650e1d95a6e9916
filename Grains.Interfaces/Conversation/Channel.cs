namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>The channel a turn arrived on or leaves through. Wire names are lowercase (<see cref="ChannelNames"/>).</summary>
[GenerateSerializer, Alias("channel")]
public enum Channel
{
    WhatsApp = 0,
    WebChat = 1,
    Sms = 2,
    Rcs = 3,
    Voice = 4,
}

public static class ChannelNames
{
    public static string ToWire(this Channel channel) => channel switch
    {
        Channel.WhatsApp => "whatsapp",
        Channel.WebChat => "webchat",
        Channel.Sms => "sms",
        Channel.Rcs => "rcs",
        Channel.Voice => "voice",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    /// <summary>How a person names the channel in a sentence ("your WhatsApp chat").</summary>
    public static string ToSpoken(this Channel channel) => channel switch
    {
        Channel.WhatsApp => "WhatsApp chat",
        Channel.WebChat => "web chat",
        Channel.Sms => "text messages",
        Channel.Rcs => "messages",
        Channel.Voice => "phone call",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static bool TryParse(string? wire, out Channel channel)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "whatsapp": channel = Channel.WhatsApp; return true;
            case "webchat": channel = Channel.WebChat; return true;
            case "sms": channel = Channel.Sms; return true;
            case "rcs": channel = Channel.Rcs; return true;
            case "voice": channel = Channel.Voice; return true;
            default: channel = default; return false;
        }
    }
}

namespace Switchboard.Journeys.Model;

/// <summary>The channels a journey can reach a customer on (mapped to the engine's channels by the grains).</summary>
public enum JourneyChannel
{
    WhatsApp,
    Rcs,
    Sms,
    Voice,
}

public static class JourneyChannels
{
    public static string ToWire(this JourneyChannel channel) => channel switch
    {
        JourneyChannel.WhatsApp => "whatsapp",
        JourneyChannel.Rcs => "rcs",
        JourneyChannel.Sms => "sms",
        JourneyChannel.Voice => "voice",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static bool TryParse(string? wire, out JourneyChannel channel)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "whatsapp": channel = JourneyChannel.WhatsApp; return true;
            case "rcs": channel = JourneyChannel.Rcs; return true;
            case "sms": channel = JourneyChannel.Sms; return true;
            case "voice": case "call": channel = JourneyChannel.Voice; return true;
            default: channel = default; return false;
        }
    }

    public static readonly IReadOnlyList<JourneyChannel> All = [JourneyChannel.WhatsApp, JourneyChannel.Rcs, JourneyChannel.Sms, JourneyChannel.Voice];
}

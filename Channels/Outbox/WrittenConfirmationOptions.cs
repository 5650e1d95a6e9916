using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// Section <c>Outbox:Confirmations</c>: where the written record of a flow completed on a phone call goes.
/// The first channel in <see cref="Channels"/> that can reach the customer (a phone number known, an outbound API
/// registered, transactional consent, the WhatsApp window open or a template configured) gets it.
/// </summary>
public sealed class WrittenConfirmationOptions
{
    public const string Section = "Outbox:Confirmations";

    public bool Enabled { get; set; } = true;

    /// <summary>Channels tried in order, comma-separated wire names.</summary>
    public string Channels { get; set; } = "whatsapp,sms";

    /// <summary>
    /// An approved WhatsApp template with one body parameter (the confirmation text), used when the 24-hour window is
    /// closed. Empty: outside the window the next channel is tried.
    /// </summary>
    public string? WhatsAppTemplate { get; set; }

    public string WhatsAppTemplateLanguage { get; set; } = "en";

    public IReadOnlyList<Channel> ParsedChannels()
    {
        var parsed = new List<Channel>();
        foreach (var name in Channels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ChannelNames.TryParse(name, out var channel) || channel is Channel.Voice or Channel.WebChat)
                throw new InvalidOperationException($"Outbox:Confirmations:Channels: '{name}' is not a messaging channel (whatsapp, sms or rcs).");
            parsed.Add(channel);
        }
        return parsed;
    }
}

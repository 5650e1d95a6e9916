using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>A channel that can deliver outbox entries through its provider's API. One per channel, registered by its <c>AddX</c>.</summary>
public interface IOutboundChannel
{
    Channel Channel { get; }

    /// <summary><see cref="OutboundDelivery.LocalOnly"/> when no provider credentials are configured.</summary>
    OutboundDelivery Delivery { get; }

    /// <summary>The channel's recipient form of a customer's normalised phone number (E.164), e.g. WhatsApp's digits without the plus.</summary>
    string RecipientFor(string e164);

    /// <summary>A plain text message body for this channel (admin and journey sends).</summary>
    string ComposeText(string text);

    /// <summary>An approved-template body, or null when the channel has no templates.</summary>
    string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters);

    /// <summary>One attempt. Transient failures (429, 5xx, network) return Retry; refusals return Failed. Never throws for provider errors.</summary>
    Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken);
}

using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// Turns a reply recorded with its turn (<see cref="OutboundMessage.Reply"/>) into the channel's wire messages when it
/// is sent: the body, a summary for the listing, and an idempotency key per part. One per channel, registered by its <c>AddX</c>.
/// </summary>
public interface IReplyRenderer
{
    Channel Channel { get; }

    IReadOnlyList<OutboundMessage> Render(OutboundMessage reply);
}

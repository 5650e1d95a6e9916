using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Outbox;

/// <summary>
/// One message a channel must deliver. <see cref="Body"/> is the channel's wire body without the recipient
/// (a Graph API message object, SMS text, an RCS contentMessage); <see cref="Summary"/> is what the admin listing shows.
/// <see cref="IdempotencyKey"/> makes enqueueing safe to repeat (a redelivered webhook enqueues its reply once).
/// </summary>
[GenerateSerializer, Immutable, Alias("outbound-message")]
public sealed record OutboundMessage(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string CustomerId,
    [property: Id(2)] Channel Channel,
    [property: Id(3)] string Recipient,
    [property: Id(4)] OutboundKind Kind,
    [property: Id(5)] string Body,
    [property: Id(6)] string Summary,
    [property: Id(7)] string IdempotencyKey,
    [property: Id(8)] OutboundDelivery Delivery = OutboundDelivery.Dispatch,
    [property: Id(9)] DateTimeOffset? CustomerMessageAt = null,
    [property: Id(10)] string? Sender = null,
    [property: Id(11)] EngineReply? Reply = null,
    [property: Id(12)] string? PublicBaseUrl = null);

/// <summary>
/// Where the reply to a turn goes, given by the channel with the turn: the customer grain records the reply as an
/// outbound message in the same write as the turn (<see cref="OutboundMessage.Reply"/>: rendered by the channel when it
/// is sent), so an acknowledged message's reply survives a crash without a second write on the reply path.
/// </summary>
[GenerateSerializer, Immutable, Alias("reply-route")]
public sealed record ReplyRoute(
    [property: Id(0)] string Recipient,
    [property: Id(1)] OutboundDelivery Delivery,
    [property: Id(2)] string? Sender = null,
    [property: Id(3)] string? PublicBaseUrl = null);

[GenerateSerializer, Alias("outbound-kind")]
public enum OutboundKind
{
    /// <summary>A free-form message: on WhatsApp only inside the 24-hour customer-service window.</summary>
    FreeForm = 0,
    /// <summary>An approved template: allowed outside the window.</summary>
    Template = 1,
}

[GenerateSerializer, Alias("outbound-delivery")]
public enum OutboundDelivery
{
    /// <summary>The dispatcher sends it through the channel's API, retrying until it is accepted or given up.</summary>
    Dispatch = 0,
    /// <summary>No API is configured: the message stays in the local outbox (status <c>local</c>) for inspection.</summary>
    LocalOnly = 1,
    /// <summary>The channel delivered it itself (a web chat socket); the outbox only records it.</summary>
    Inline = 2,
}

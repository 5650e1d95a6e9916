using Switchboard.Grains.Interfaces.Consent;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// What the engine did with an inbound turn, decided in the one call that recorded it. <see cref="Duplicate"/> is true
/// when the message id was seen before: the reply is the one given then. <see cref="ReplyConsent"/> says whether the
/// reply may be sent on the turn's channel (null: a compliance notice that goes out regardless, or no rules were given);
/// <see cref="Keyword"/> names a consent keyword the turn was (its consent change is already recorded);
/// <see cref="Outbound"/> is the reply as an outbound message, durable with the turn, when the rules named a route;
/// <see cref="ReplyRefused"/> says why there is none when one was due (<c>consent</c>, <c>outside-service-window</c>).
/// <see cref="AddressBound"/> tells the ingress the sender's address is this customer's (it may cache the route).
/// </summary>
[GenerateSerializer, Immutable, Alias("turn-result")]
public sealed record TurnResult(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] EngineReply Reply,
    [property: Id(3)] string TokenizedText,
    [property: Id(4)] ConsentDecision? ReplyConsent = null,
    [property: Id(5)] ConsentKeyword Keyword = ConsentKeyword.None,
    [property: Id(6)] Outbox.OutboxEntry? Outbound = null,
    [property: Id(7)] string? ReplyRefused = null,
    [property: Id(8)] bool AddressBound = false);

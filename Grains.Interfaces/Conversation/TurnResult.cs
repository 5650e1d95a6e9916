using Switchboard.Grains.Interfaces.Consent;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// What the engine did with an inbound turn, decided in the one call that recorded it. <see cref="Duplicate"/> is true
/// when the message id was seen before: the reply is the one given then. <see cref="ReplyConsent"/> says whether the
/// reply may be sent on the turn's channel (null: a compliance notice that goes out regardless, or no rules were given);
/// <see cref="Keyword"/> names a consent keyword the turn was (its consent change is already recorded).
/// </summary>
[GenerateSerializer, Immutable, Alias("turn-result")]
public sealed record TurnResult(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] EngineReply Reply,
    [property: Id(3)] string TokenizedText,
    [property: Id(4)] ConsentDecision? ReplyConsent = null,
    [property: Id(5)] ConsentKeyword Keyword = ConsentKeyword.None);

using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Consent;

/// <summary>A consent decision as it is recorded: who said what, where, when, and the evidence (a message id, a recording offset, a form).</summary>
[GenerateSerializer, Immutable, Alias("consent-change")]
public sealed record ConsentChange(
    [property: Id(0)] Channel Channel,
    [property: Id(1)] ConsentPurpose Purpose,
    [property: Id(2)] ConsentStatus Status,
    [property: Id(3)] string Source,
    [property: Id(4)] string Evidence,
    [property: Id(5)] DateTimeOffset At);

/// <summary>
/// The answer to "may we contact this customer on this channel for this purpose?", with the reason; and when the
/// customer last wrote on that channel (what opens WhatsApp's 24-hour window), when the customer grain knows it.
/// </summary>
[GenerateSerializer, Immutable, Alias("consent-decision")]
public sealed record ConsentDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] ConsentStatus Status,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset? CustomerWroteAt = null);

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

/// <summary>The answer to "may we contact this customer on this channel for this purpose?", with the reason.</summary>
[GenerateSerializer, Immutable, Alias("consent-decision")]
public sealed record ConsentDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] ConsentStatus Status,
    [property: Id(2)] string Reason);

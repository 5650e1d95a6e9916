using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Analytics;

/// <summary>
/// One thing that happened in a conversation or a journey, for cross-channel analytics. It carries ids, names and
/// timings only: never message text, an address (phone number, WhatsApp id, e-mail) or any other raw PII.
/// <see cref="Id"/> is unique per event and stable across a retry, so a sink can drop a redelivered event.
/// </summary>
[GenerateSerializer, Immutable, Alias("interaction-event")]
public sealed record InteractionEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] InteractionKind Kind,
    [property: Id(2)] string Tenant,
    [property: Id(3)] string CustomerId,
    [property: Id(4)] Channel Channel,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string? Intent = null,
    [property: Id(7)] string? Flow = null,
    [property: Id(8)] string? Step = null,
    [property: Id(9)] string? Outcome = null,
    [property: Id(10)] Channel? FromChannel = null,
    [property: Id(11)] string? Journey = null,
    [property: Id(12)] double? DurationMs = null,
    [property: Id(13)] bool? ZeroRepeat = null);

[GenerateSerializer, Alias("interaction-kind")]
public enum InteractionKind
{
    /// <summary>An inbound customer turn and the engine's answer (Intent, Flow, Step; DurationMs: time to decide).</summary>
    Turn = 0,
    /// <summary>The customer reached us on another channel than the last one (FromChannel; ZeroRepeat: nothing was asked again).</summary>
    ChannelSwitch = 1,
    /// <summary>The engine offered to move the conversation (a call, a handoff): Outcome names the offer.</summary>
    EscalationOffered = 2,
    CallPlaced = 3,
    CallAnswered = 4,
    /// <summary>A call ended (DurationMs: call length; Outcome: completed, abandoned, voicemail…).</summary>
    CallCompleted = 5,
    /// <summary>The conversation went to a human agent (DurationMs: agent minutes when known).</summary>
    Handoff = 6,
    /// <summary>A delivery receipt for an outbound message (Outcome: sent, delivered, read, failed).</summary>
    Delivery = 7,
    /// <summary>Consent changed (Outcome: granted/revoked; Step: the purpose).</summary>
    ConsentChange = 8,
    /// <summary>A journey step ran (Journey, Step, Outcome: sent, refused:…, waited, branched…).</summary>
    JourneyStep = 9,
    /// <summary>A dialog flow finished (Flow, Outcome: completed, cancelled).</summary>
    FlowCompleted = 10,
    /// <summary>A journey reached its goal (Journey; DurationMs: time since enrolment).</summary>
    JourneyGoal = 11,
    /// <summary>An outbound message went out (Outcome: the purpose; Journey when a journey sent it).</summary>
    MessageSent = 12,
}

/// <summary>
/// Where grains and channels hand interaction events. Publishing never throws into the caller's path and never waits
/// for the store: the embedded implementation queues for a batch writer, production puts them on an Orleans stream.
/// </summary>
public interface IInteractionEvents
{
    void Publish(InteractionEvent e);
}

/// <summary>Drops every event: the default where analytics is not configured (and in unit tests).</summary>
public sealed class NoInteractionEvents : IInteractionEvents
{
    public static readonly NoInteractionEvents Instance = new();
    public void Publish(InteractionEvent e) { }
}

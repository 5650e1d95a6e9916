using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Engine;

public enum EnrolmentStatus
{
    Active,
    Completed,
    GoalReached,
    Exited,
    Stopped,
}

/// <summary>
/// One enrolment's progress: where it is, what it is waiting for, the step ids already done (a step never runs twice),
/// the effect decided but not yet acknowledged (re-issued unchanged after a restart, with the same idempotency key,
/// so the outbox drops it if it was already enqueued), and the timeline. Plain data: the grain stores it as JSON.
/// </summary>
public sealed class EnrolmentState
{
    public string Journey { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Run { get; set; } = "";
    public DateTimeOffset EnrolledAt { get; set; }
    public EnrolmentStatus Status { get; set; } = EnrolmentStatus.Active;
    public int Cursor { get; set; }
    public DateTimeOffset? WakeAt { get; set; }
    public DateTimeOffset? WaitStartedAt { get; set; }
    /// <summary>The marks of the customer's events already there at enrolment: only others count as replies, intents or a goal.</summary>
    public List<string>? SeenAtEnrol { get; set; }
    /// <summary>The marks of the customer's events already there when the current wait began.</summary>
    public List<string>? SeenAtWait { get; set; }
    public HashSet<string> Done { get; set; } = [];
    public StepEffect? Pending { get; set; }
    public DateTimeOffset? LastSendAt { get; set; }
    public bool LastSendFailed { get; set; }
    public Dictionary<string, string> Attributes { get; set; } = [];
    public List<TimelineEntry> Timeline { get; set; } = [];
}

/// <summary>One line of an enrolment's timeline: a step ran (sent, deferred, refused, waited, branched) with its channel and decision trace.</summary>
public sealed record TimelineEntry(
    DateTimeOffset At, string StepId, string Kind, string Outcome, JourneyChannel? Channel = null, IReadOnlyList<TraceEntry>? Trace = null, string? Key = null);

/// <summary>Something the host must do for a step: enqueue a message or request a call (through the outbox), keyed per enrolment and step.</summary>
public sealed record StepEffect(
    string StepId, JourneyChannel Channel, SendKind Kind, string? Template, string? Text, IReadOnlyList<string> Suggestions,
    string IdempotencyKey, string? Reason = null, string? Flow = null);

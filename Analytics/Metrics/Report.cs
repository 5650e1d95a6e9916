namespace Switchboard.Analytics.Metrics;

/// <summary>Every figure of the dashboard for one range; <c>docs/analytics.md</c> defines each.</summary>
public sealed record Report(
    string Tenant,
    DateTimeOffset From,
    DateTimeOffset To,
    Overview Overview,
    IReadOnlyList<ChannelFigures> Channels,
    IReadOnlyList<FlowFigures> Flows,
    Escalation Escalation,
    IReadOnlyList<SwitchCell> Switches,
    IReadOnlyList<JourneyFigures> Journeys,
    Roi Roi)
{
    /// <summary>True when the distinct-customer counts come from HyperLogLog sketches (a range of many events): docs/analytics.md gives the error bound.</summary>
    public bool Approximate { get; init; }
}

public sealed record Overview(
    long Conversations, long Contained, double? Containment, long Turns, double? AverageHandlingTurns,
    long Switches, long ZeroRepeatSwitches, double? ZeroKnowledgeTransferRate, long Handoffs, long Events);

public sealed record ChannelFigures(string Channel, long Conversations, long Contained, double? Containment, long Turns, double? AverageHandlingTurns);

public sealed record FlowFigures(string Flow, long Conversations, long Turns, long Completed, double? AverageHandlingTurns);

/// <summary>Offered a call → started the call → completed the flow, counted in customers; drop-off is the share lost.</summary>
public sealed record Escalation(long Offered, long CallStarted, long FlowCompleted, double? DropOff, double? DropOffBeforeCall, double? DropOffDuringCall);

public sealed record SwitchCell(string From, string To, long Switches, long ZeroRepeat);

public sealed record JourneyFigures(string Journey, long Enrolled, long ReachedGoal, double? GoalRate, double? TimeToGoalP50Ms, double? TimeToGoalP90Ms, IReadOnlyList<JourneyStepFigures> Steps);

public sealed record JourneyStepFigures(string Step, long Customers);

public sealed record Roi(
    string Currency, long Messages, double VoiceMinutes, double AgentMinutes,
    decimal MessageCost, decimal VoiceCost, decimal AgentCost, decimal AutomatedCost, decimal AllHumanBaseline, decimal Savings, double? Ratio);

public sealed record SeriesPoint(DateTimeOffset Bucket, long Conversations, long Contained, double? Containment, long Turns, long Switches, long ZeroRepeatSwitches, long Handoffs, long JourneyGoals);

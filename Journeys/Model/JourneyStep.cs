namespace Switchboard.Journeys.Model;

/// <summary>One step of a journey. <see cref="Line"/> is where it starts in its file, for errors and the timeline.</summary>
public abstract record JourneyStep(string Id, int Line);

/// <summary>
/// A message on one channel, or on the best allowed one of <see cref="Channels"/> in order. <see cref="Template"/> is the
/// approved WhatsApp template used outside the 24-hour window; <see cref="Message"/> the free-form text (with
/// <c>{{attribute}}</c> placeholders) and <see cref="Suggestions"/> the reply buttons (RCS chips, WhatsApp buttons).
/// </summary>
public sealed record SendStep(
    string Id, int Line,
    IReadOnlyList<JourneyChannel> Channels,
    bool BestOfTenantOrder,
    string? Template,
    string? Message,
    IReadOnlyList<string> Suggestions) : JourneyStep(Id, Line);

/// <summary>Waits a duration, or until an event (then at most the duration).</summary>
public sealed record WaitStep(string Id, int Line, TimeSpan Timeout, CustomerEventKind? Until, string? UntilName) : JourneyStep(Id, Line);

/// <summary>Jumps forward to <see cref="Then"/> when the condition holds, else to <see cref="Else"/> (null: the next step).</summary>
public sealed record BranchStep(string Id, int Line, BranchCondition Condition, string? Then, string? Else) : JourneyStep(Id, Line);

/// <summary>A proactive voice call that opens with <see cref="Reason"/> and runs the bot's <see cref="Flow"/>.</summary>
public sealed record CallStep(string Id, int Line, string Reason, string? Flow) : JourneyStep(Id, Line);

/// <summary>Ends the journey here.</summary>
public sealed record ExitStep(string Id, int Line) : JourneyStep(Id, Line);

/// <summary>Marks the goal reached and ends the journey (for a journey whose last step is the goal).</summary>
public sealed record GoalStep(string Id, int Line) : JourneyStep(Id, Line);

public enum BranchOn
{
    Replied,
    Intent,
    Attribute,
    DeliveryFailed,
    Consent,
}

/// <summary>What a branch tests: replied, an intent seen, an attribute equal to a value, the last send failed, or consent on a channel.</summary>
public sealed record BranchCondition(BranchOn On, string? Name = null, string? Value = null, JourneyChannel? Channel = null);

using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Simulation;

/// <summary>What a simulation run produced: sends per channel, refusals and deferrals by rule, conversions, time to goal.</summary>
public sealed class SimulationReport
{
    public int Customers { get; set; }
    public int Enrolments { get; set; }
    public long StepsRun { get; set; }
    public Dictionary<JourneyChannel, long> SendsPerChannel { get; } = [];
    public Dictionary<string, long> RefusalsByRule { get; } = [];
    public Dictionary<string, long> DeferralsByRule { get; } = [];
    public long Fallbacks { get; set; }
    public long Calls { get; set; }
    public long CallsAnswered { get; set; }
    public long Conversions { get; set; }
    public long Exited { get; set; }
    public long Completed { get; set; }
    public List<TimeSpan> TimesToGoal { get; } = [];

    public TimeSpan TimeToGoal(double quantile)
    {
        if (TimesToGoal.Count == 0) return TimeSpan.Zero;
        TimesToGoal.Sort();
        return TimesToGoal[Math.Min(TimesToGoal.Count - 1, (int)(quantile * TimesToGoal.Count))];
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"customers {Customers}, enrolments {Enrolments}, steps run {StepsRun}");
        sb.AppendLine("sends: " + string.Join(", ", SendsPerChannel.OrderBy(k => k.Key).Select(k => $"{k.Key.ToWire()} {k.Value}")) + $", calls {Calls} (answered {CallsAnswered}), fallbacks {Fallbacks}");
        sb.AppendLine("refused by rule: " + (RefusalsByRule.Count == 0 ? "none" : string.Join(", ", RefusalsByRule.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"))));
        sb.AppendLine("deferred by rule: " + (DeferralsByRule.Count == 0 ? "none" : string.Join(", ", DeferralsByRule.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"))));
        sb.Append($"conversions {Conversions} ({(Enrolments == 0 ? 0 : 100.0 * Conversions / Enrolments):0.0} %), exited {Exited}, completed {Completed}, time to goal p50 {TimeToGoal(0.5):d\\.hh\\:mm} p90 {TimeToGoal(0.9):d\\.hh\\:mm}");
        return sb.ToString();
    }
}

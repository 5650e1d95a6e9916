using System.Globalization;
using System.Text;
using Switchboard.Analytics.Metrics;

namespace Switchboard.Silo.Analytics;

/// <summary>Every chart of the page as CSV, from the same report the page and the JSON API show (names and numbers only).</summary>
public static class AnalyticsCsv
{
    public static readonly IReadOnlyList<string> Charts = ["overview", "channels", "flows", "escalation", "switches", "journeys", "roi", "series"];

    public static string? Render(string chart, Report r, IReadOnlyList<SeriesPoint> series) => chart switch
    {
        "overview" => Table(["conversations", "contained", "containment", "turns", "average_handling_turns", "switches", "zero_repeat_switches", "zero_knowledge_transfer_rate", "handoffs"],
            [[r.Overview.Conversations, r.Overview.Contained, r.Overview.Containment, r.Overview.Turns, r.Overview.AverageHandlingTurns,
              r.Overview.Switches, r.Overview.ZeroRepeatSwitches, r.Overview.ZeroKnowledgeTransferRate, r.Overview.Handoffs]]),
        "channels" => Table(["channel", "conversations", "contained", "containment", "turns", "average_handling_turns"],
            r.Channels.Select(c => new object?[] { c.Channel, c.Conversations, c.Contained, c.Containment, c.Turns, c.AverageHandlingTurns })),
        "flows" => Table(["flow", "conversations", "turns", "completed", "average_handling_turns"],
            r.Flows.Select(f => new object?[] { f.Flow, f.Conversations, f.Turns, f.Completed, f.AverageHandlingTurns })),
        "escalation" => Table(["offered_call", "call_started", "flow_completed", "drop_off", "drop_off_before_call", "drop_off_during_call"],
            [[r.Escalation.Offered, r.Escalation.CallStarted, r.Escalation.FlowCompleted, r.Escalation.DropOff, r.Escalation.DropOffBeforeCall, r.Escalation.DropOffDuringCall]]),
        "switches" => Table(["from", "to", "switches", "zero_repeat"], r.Switches.Select(s => new object?[] { s.From, s.To, s.Switches, s.ZeroRepeat })),
        "journeys" => Table(["journey", "step", "customers", "reached_goal", "time_to_goal_p50_ms", "time_to_goal_p90_ms"],
            r.Journeys.SelectMany(j => j.Steps.Select(s => new object?[] { j.Journey, s.Step, s.Customers, null, null, null })
                .Append([j.Journey, "goal", j.ReachedGoal, j.ReachedGoal, j.TimeToGoalP50Ms, j.TimeToGoalP90Ms]))),
        "roi" => Table(["currency", "messages", "voice_minutes", "agent_minutes", "message_cost", "voice_cost", "agent_cost", "automated_cost", "all_human_baseline", "savings", "roi"],
            [[r.Roi.Currency, r.Roi.Messages, r.Roi.VoiceMinutes, r.Roi.AgentMinutes, r.Roi.MessageCost, r.Roi.VoiceCost, r.Roi.AgentCost,
              r.Roi.AutomatedCost, r.Roi.AllHumanBaseline, r.Roi.Savings, r.Roi.Ratio]]),
        "series" => Table(["bucket", "conversations", "contained", "containment", "turns", "switches", "zero_repeat_switches", "handoffs", "journey_goals"],
            series.Select(p => new object?[] { p.Bucket.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture),
                p.Conversations, p.Contained, p.Containment, p.Turns, p.Switches, p.ZeroRepeatSwitches, p.Handoffs, p.JourneyGoals })),
        _ => null,
    };

    private static string Table(string[] header, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder().AppendJoin(',', header).Append('\n');
        foreach (var row in rows) sb.AppendJoin(',', row.Select(Cell)).Append('\n');
        return sb.ToString();
    }

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        // Names are checked identifiers; quoting keeps a comma from ever splitting a cell.
        _ => v.ToString()!.Contains(',') || v.ToString()!.Contains('"') ? "\"" + v.ToString()!.Replace("\"", "\"\"") + "\"" : v.ToString()!,
    };
}

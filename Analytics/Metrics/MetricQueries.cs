using DuckDB.NET.Data;
using Switchboard.Analytics.Store;

namespace Switchboard.Analytics.Metrics;

/// <summary>
/// The metrics as SQL over the event store, one query per figure group (<see cref="MetricSql"/>). A range on whole
/// hours (every date range, the default range) reads the writer's summary tables; any other range reads the raw
/// events. A conversation is a customer with at least one turn in the range. Definitions: docs/analytics.md.
/// </summary>
public sealed class MetricQueries(EventStore store, CostModel costs)
{
    public static bool OnWholeHours(MetricRange range) =>
        range.From.UtcTicks % TimeSpan.TicksPerHour == 0 && range.To.UtcTicks % TimeSpan.TicksPerHour == 0;

    public Report Report(MetricRange range) => Report(range, OnWholeHours(range) ? MetricSql.Summary : MetricSql.Raw);

    public IReadOnlyList<SeriesPoint> Series(MetricRange range) => Series(range, OnWholeHours(range) ? MetricSql.Summary : MetricSql.Raw);

    /// <summary>The report recomputed from the raw events, whatever the range (tests and the benchmark compare with it).</summary>
    public Report RawReport(MetricRange range) => Report(range, MetricSql.Raw);

    public IReadOnlyList<SeriesPoint> RawSeries(MetricRange range) => Series(range, MetricSql.Raw);

    private Report Report(MetricRange range, MetricSql sql)
    {
        using var db = store.OpenReader();
        var overview = Overview(db, range, sql);
        return new Report(range.Tenant, range.From, range.To, overview, Channels(db, range, sql), Flows(db, range, sql),
            Escalation(db, range, sql), Switches(db, range, sql), Journeys(db, range, sql), Roi(db, range, sql, overview.Conversations));
    }

    private IReadOnlyList<SeriesPoint> Series(MetricRange range, MetricSql sql)
    {
        using var db = store.OpenReader();
        var rows = Rows(db, range, sql.Series.Replace("{unit}", range.Bucket == Bucket.Hour ? "hour" : "day"));
        return [.. rows.Select(x => new SeriesPoint(new DateTimeOffset(DateTime.SpecifyKind((DateTime)x[0]!, DateTimeKind.Utc)), L(x[1]), L(x[2]),
            Ratio(L(x[2]), L(x[1])), L(x[3]), L(x[4]), L(x[5]), L(x[6]), L(x[7])))];
    }

    /// <summary>Containment: the share of conversations with no handoff to a human in the range.</summary>
    private static Overview Overview(DuckDBConnection db, MetricRange range, MetricSql sql)
    {
        var x = Rows(db, range, sql.Overview)[0];
        long conversations = L(x[0]), contained = L(x[1]), turns = L(x[2]), switches = L(x[3]), zero = L(x[4]);
        return new Overview(conversations, contained, Ratio(contained, conversations), turns, Ratio(turns, conversations),
            switches, zero, Ratio(zero, switches), L(x[5]), L(x[6]));
    }

    /// <summary>Per channel: customers who wrote on it, and of them those not handed to a human on that channel.</summary>
    private static IReadOnlyList<ChannelFigures> Channels(DuckDBConnection db, MetricRange range, MetricSql sql) =>
        [.. Rows(db, range, sql.Channels).Select(x => new ChannelFigures(S(x[0]), L(x[1]), L(x[2]), Ratio(L(x[2]), L(x[1])), L(x[3]), Ratio(L(x[3]), L(x[1]))))];

    private static IReadOnlyList<FlowFigures> Flows(DuckDBConnection db, MetricRange range, MetricSql sql) =>
        [.. Rows(db, range, sql.Flows).Select(x => new FlowFigures(S(x[0]), L(x[1]), L(x[2]), L(x[3]), Ratio(L(x[2]), L(x[1]))))];

    /// <summary>
    /// Customers offered a call; of them, those whose call started afterwards (a voice turn or an answered call);
    /// of them, those who completed a flow once the call had started.
    /// </summary>
    private static Escalation Escalation(DuckDBConnection db, MetricRange range, MetricSql sql)
    {
        var x = Rows(db, range, sql.Escalation)[0];
        long offered = L(x[0]), started = L(x[1]), completed = L(x[2]);
        return new Escalation(offered, started, completed, Lost(completed, offered), Lost(started, offered), Lost(completed, started));
    }

    private static IReadOnlyList<SwitchCell> Switches(DuckDBConnection db, MetricRange range, MetricSql sql) =>
        [.. Rows(db, range, sql.Switches).Select(x => new SwitchCell(S(x[0]), S(x[1]), L(x[2]), L(x[3])))];

    /// <summary>Per journey: customers at each step, customers at the goal, time from enrolment to goal (p50, p90).</summary>
    private static IReadOnlyList<JourneyFigures> Journeys(DuckDBConnection db, MetricRange range, MetricSql sql)
    {
        var steps = Rows(db, range, sql.JourneySteps)
            .GroupBy(x => S(x[0])).ToDictionary(g => g.Key, g => g.Select(x => new JourneyStepFigures(S(x[1]), L(x[2]))).ToList());
        return [.. Rows(db, range, sql.Journeys).Select(x => new JourneyFigures(S(x[0]), L(x[1]), L(x[2]), Ratio(L(x[2]), L(x[1])), D(x[3]), D(x[4]),
            steps.GetValueOrDefault(S(x[0])) ?? []))];
    }

    /// <summary>What automation cost (messages, voice minutes, the agent minutes of handoffs) against every conversation handled by a human.</summary>
    private Roi Roi(DuckDBConnection db, MetricRange range, MetricSql sql, long conversations)
    {
        var messagesByChannel = Rows(db, range, sql.Messages)
            .ToDictionary(x => S(x[0]), x => L(x[1]));
        var x = Rows(db, range, sql.Costs)[0];
        var voiceMinutes = Convert.ToDouble(x[0]);
        var agentMinutes = L(x[1]) * costs.AgentMinutesPerHandoff + Convert.ToDouble(x[2]);
        var messageCost = messagesByChannel.Sum(kv => kv.Value * costs.PerMessage.GetValueOrDefault(kv.Key));
        var voiceCost = (decimal)voiceMinutes * costs.PerVoiceMinute;
        var agentCost = (decimal)agentMinutes * costs.PerAgentMinute;
        var automated = messageCost + voiceCost + agentCost;
        var baseline = conversations * (decimal)costs.AgentMinutesPerConversation * costs.PerAgentMinute;
        var savings = baseline - automated;
        return new Roi(costs.Currency, messagesByChannel.Values.Sum(), Math.Round(voiceMinutes, 3), Math.Round(agentMinutes, 3),
            Math.Round(messageCost, 4), Math.Round(voiceCost, 4), Math.Round(agentCost, 4), Math.Round(automated, 4), Math.Round(baseline, 4),
            Math.Round(savings, 4), automated == 0 ? null : Math.Round((double)(savings / automated), 4));
    }

    private static List<object?[]> Rows(DuckDBConnection db, MetricRange range, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.Add(new DuckDBParameter("tenant", range.Tenant));
        cmd.Parameters.Add(new DuckDBParameter("from", range.From.UtcDateTime));
        cmd.Parameters.Add(new DuckDBParameter("to", range.To.UtcDateTime));
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    // sum() of integers is HUGEINT in DuckDB (a BigInteger here).
    private static long L(object? v) => v switch { null => 0, System.Numerics.BigInteger b => (long)b, _ => Convert.ToInt64(v) };
    private static double? D(object? v) => v is null ? null : Convert.ToDouble(v);
    private static string S(object? v) => v?.ToString() ?? "";
    private static double? Ratio(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
    private static double? Lost(long kept, long whole) => whole == 0 ? null : Math.Round(1 - (double)kept / whole, 4);
}

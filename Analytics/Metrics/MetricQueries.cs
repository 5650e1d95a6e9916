using DuckDB.NET.Data;
using Switchboard.Analytics.Store;

namespace Switchboard.Analytics.Metrics;

/// <summary>
/// The metrics as SQL over the event store, one query per figure group. Every query reads one tenant's events in the
/// range (<c>r</c>); a conversation is a customer with at least one turn in it. Definitions: docs/analytics.md.
/// </summary>
public sealed class MetricQueries(EventStore store, CostModel costs)
{
    private const string InRange = "WITH r AS (SELECT * FROM events WHERE tenant = $tenant AND occurred_at >= $from AND occurred_at < $to) ";

    public Report Report(MetricRange range)
    {
        using var db = store.OpenReader();
        var channels = Channels(db, range);
        return new Report(range.Tenant, range.From, range.To, Overview(db, range), channels, Flows(db, range), Escalation(db, range),
            Switches(db, range), Journeys(db, range), Roi(db, range));
    }

    public IReadOnlyList<SeriesPoint> Series(MetricRange range)
    {
        using var db = store.OpenReader();
        var unit = range.Bucket == Bucket.Hour ? "hour" : "day";
        var rows = Rows(db, range, InRange + $"""
            , b AS (SELECT date_trunc('{unit}', occurred_at) AS bucket, * FROM r),
            conv AS (SELECT bucket, customer, bool_or(kind = 'handoff') AS handed FROM b WHERE kind IN ('turn', 'handoff') GROUP BY ALL
                     HAVING bool_or(kind = 'turn'))
            SELECT b.bucket,
                   (SELECT count(*) FROM conv WHERE conv.bucket = b.bucket),
                   (SELECT count(*) FROM conv WHERE conv.bucket = b.bucket AND NOT handed),
                   count(*) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'channel-switch'),
                   count(*) FILTER (WHERE kind = 'channel-switch' AND zero_repeat), count(*) FILTER (WHERE kind = 'handoff'),
                   count(*) FILTER (WHERE kind = 'journey-goal')
            FROM b GROUP BY b.bucket ORDER BY b.bucket
            """);
        return [.. rows.Select(x => new SeriesPoint(new DateTimeOffset(DateTime.SpecifyKind((DateTime)x[0]!, DateTimeKind.Utc)), L(x[1]), L(x[2]),
            Ratio(L(x[2]), L(x[1])), L(x[3]), L(x[4]), L(x[5]), L(x[6]), L(x[7])))];
    }

    /// <summary>Containment: the share of conversations with no handoff to a human in the range.</summary>
    private static Overview Overview(DuckDBConnection db, MetricRange range)
    {
        var x = Rows(db, range, InRange + """
            , conv AS (SELECT customer, bool_or(kind = 'handoff') AS handed FROM r WHERE kind IN ('turn', 'handoff') GROUP BY customer
                       HAVING bool_or(kind = 'turn'))
            SELECT (SELECT count(*) FROM conv), (SELECT count(*) FROM conv WHERE NOT handed),
                   count(*) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'channel-switch'),
                   count(*) FILTER (WHERE kind = 'channel-switch' AND zero_repeat), count(*) FILTER (WHERE kind = 'handoff'), count(*)
            FROM r
            """)[0];
        long conversations = L(x[0]), contained = L(x[1]), turns = L(x[2]), switches = L(x[3]), zero = L(x[4]);
        return new Overview(conversations, contained, Ratio(contained, conversations), turns, Ratio(turns, conversations),
            switches, zero, Ratio(zero, switches), L(x[5]), L(x[6]));
    }

    /// <summary>Per channel: customers who wrote on it, and of them those not handed to a human on that channel.</summary>
    private static IReadOnlyList<ChannelFigures> Channels(DuckDBConnection db, MetricRange range) =>
        [.. Rows(db, range, InRange + """
            SELECT channel, count(*), count(*) FILTER (WHERE NOT handed), sum(turns) FROM (
                SELECT channel, customer, count(*) FILTER (WHERE kind = 'turn') AS turns, bool_or(kind = 'handoff') AS handed
                FROM r WHERE kind IN ('turn', 'handoff') GROUP BY channel, customer HAVING bool_or(kind = 'turn'))
            GROUP BY channel ORDER BY channel
            """).Select(x => new ChannelFigures(S(x[0]), L(x[1]), L(x[2]), Ratio(L(x[2]), L(x[1])), L(x[3]), Ratio(L(x[3]), L(x[1]))))];

    private static IReadOnlyList<FlowFigures> Flows(DuckDBConnection db, MetricRange range) =>
        [.. Rows(db, range, InRange + """
            SELECT flow, count(DISTINCT customer) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'turn'),
                   count(*) FILTER (WHERE kind = 'flow-completed' AND outcome = 'completed')
            FROM r WHERE flow IS NOT NULL AND kind IN ('turn', 'flow-completed') GROUP BY flow ORDER BY flow
            """).Select(x => new FlowFigures(S(x[0]), L(x[1]), L(x[2]), L(x[3]), Ratio(L(x[2]), L(x[1]))))];

    /// <summary>
    /// Customers offered a call; of them, those whose call started afterwards (a voice turn or an answered call);
    /// of them, those who completed a flow once the call had started.
    /// </summary>
    private static Escalation Escalation(DuckDBConnection db, MetricRange range)
    {
        var x = Rows(db, range, InRange + """
            , offers AS (SELECT customer, min(occurred_at) AS t0 FROM r WHERE kind = 'escalation-offered' AND outcome = 'call' GROUP BY customer),
            started AS (SELECT o.customer, min(e.occurred_at) AS t1 FROM offers o JOIN r e ON e.customer = o.customer AND e.occurred_at >= o.t0
                        AND e.channel = 'voice' AND e.kind IN ('turn', 'call-answered') GROUP BY o.customer),
            completed AS (SELECT DISTINCT s.customer FROM started s JOIN r e ON e.customer = s.customer AND e.occurred_at >= s.t1
                          AND e.kind = 'flow-completed' AND e.outcome = 'completed')
            SELECT (SELECT count(*) FROM offers), (SELECT count(*) FROM started), (SELECT count(*) FROM completed)
            """)[0];
        long offered = L(x[0]), started = L(x[1]), completed = L(x[2]);
        return new Escalation(offered, started, completed, Lost(completed, offered), Lost(started, offered), Lost(completed, started));
    }

    private static IReadOnlyList<SwitchCell> Switches(DuckDBConnection db, MetricRange range) =>
        [.. Rows(db, range, InRange + """
            SELECT from_channel, channel, count(*), count(*) FILTER (WHERE zero_repeat) FROM r
            WHERE kind = 'channel-switch' AND from_channel IS NOT NULL GROUP BY ALL ORDER BY 1, 2
            """).Select(x => new SwitchCell(S(x[0]), S(x[1]), L(x[2]), L(x[3])))];

    /// <summary>Per journey: customers at each step, customers at the goal, time from enrolment to goal (p50, p90).</summary>
    private static IReadOnlyList<JourneyFigures> Journeys(DuckDBConnection db, MetricRange range)
    {
        var steps = Rows(db, range, InRange + """
            SELECT journey, step, count(DISTINCT customer) FROM r WHERE kind = 'journey-step' AND journey IS NOT NULL AND step IS NOT NULL
            GROUP BY ALL ORDER BY journey, min(occurred_at), step
            """).GroupBy(x => S(x[0])).ToDictionary(g => g.Key, g => g.Select(x => new JourneyStepFigures(S(x[1]), L(x[2]))).ToList());
        return [.. Rows(db, range, InRange + """
            SELECT journey, count(DISTINCT customer) FILTER (WHERE kind = 'journey-step'), count(DISTINCT customer) FILTER (WHERE kind = 'journey-goal'),
                   quantile_cont(duration_ms, 0.5) FILTER (WHERE kind = 'journey-goal'), quantile_cont(duration_ms, 0.9) FILTER (WHERE kind = 'journey-goal')
            FROM r WHERE journey IS NOT NULL AND kind IN ('journey-step', 'journey-goal') GROUP BY journey ORDER BY journey
            """).Select(x => new JourneyFigures(S(x[0]), L(x[1]), L(x[2]), Ratio(L(x[2]), L(x[1])), D(x[3]), D(x[4]),
            steps.GetValueOrDefault(S(x[0])) ?? []))];
    }

    /// <summary>What automation cost (messages, voice minutes, the agent minutes of handoffs) against every conversation handled by a human.</summary>
    private Roi Roi(DuckDBConnection db, MetricRange range)
    {
        var messagesByChannel = Rows(db, range, InRange + """
            SELECT channel, count(*) FROM r WHERE kind IN ('turn', 'message-sent') GROUP BY channel
            """).ToDictionary(x => S(x[0]), x => L(x[1]));
        var x = Rows(db, range, InRange + """
            , conv AS (SELECT DISTINCT customer FROM r WHERE kind = 'turn')
            SELECT coalesce(sum(duration_ms) FILTER (WHERE kind = 'call-completed'), 0) / 60000.0,
                   count(*) FILTER (WHERE kind = 'handoff' AND duration_ms IS NULL),
                   coalesce(sum(duration_ms) FILTER (WHERE kind = 'handoff'), 0) / 60000.0,
                   (SELECT count(*) FROM conv)
            FROM r
            """)[0];
        var voiceMinutes = Convert.ToDouble(x[0]);
        var agentMinutes = L(x[1]) * costs.AgentMinutesPerHandoff + Convert.ToDouble(x[2]);
        var messageCost = messagesByChannel.Sum(kv => kv.Value * costs.PerMessage.GetValueOrDefault(kv.Key));
        var voiceCost = (decimal)voiceMinutes * costs.PerVoiceMinute;
        var agentCost = (decimal)agentMinutes * costs.PerAgentMinute;
        var automated = messageCost + voiceCost + agentCost;
        var baseline = L(x[3]) * (decimal)costs.AgentMinutesPerConversation * costs.PerAgentMinute;
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

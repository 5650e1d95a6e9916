namespace Switchboard.Analytics.Metrics;

/// <summary>
/// The SQL of each figure group, in two forms with the same result columns: over the raw events (any range) and over
/// the writer's summary tables (ranges on whole hours). Parameters: <c>$tenant</c>, <c>$from</c>, <c>$to</c>;
/// <c>{unit}</c> in the series is <c>hour</c> or <c>day</c>.
/// </summary>
public sealed record MetricSql(string Overview, string Channels, string Flows, string Escalation, string Switches,
    string JourneySteps, string Journeys, string Messages, string Costs, string Series)
{
    // Costs: voice minutes, handoffs without a duration, agent minutes; the all-human baseline takes the overview's conversations.
    private const string InRange = "WITH r AS (SELECT * FROM events WHERE tenant = $tenant AND occurred_at >= $from AND occurred_at < $to) ";

    public static readonly MetricSql Raw = new(
        Overview: InRange + """
            , conv AS (SELECT customer, bool_or(kind = 'handoff') AS handed FROM r WHERE kind IN ('turn', 'handoff') GROUP BY customer
                       HAVING bool_or(kind = 'turn'))
            SELECT (SELECT count(*) FROM conv), (SELECT count(*) FROM conv WHERE NOT handed),
                   count(*) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'channel-switch'),
                   count(*) FILTER (WHERE kind = 'channel-switch' AND zero_repeat), count(*) FILTER (WHERE kind = 'handoff'), count(*)
            FROM r
            """,
        Channels: InRange + """
            SELECT channel, count(*), count(*) FILTER (WHERE NOT handed), sum(turns) FROM (
                SELECT channel, customer, count(*) FILTER (WHERE kind = 'turn') AS turns, bool_or(kind = 'handoff') AS handed
                FROM r WHERE kind IN ('turn', 'handoff') GROUP BY channel, customer HAVING bool_or(kind = 'turn'))
            GROUP BY channel ORDER BY channel
            """,
        Flows: InRange + """
            SELECT flow, count(DISTINCT customer) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'turn'),
                   count(*) FILTER (WHERE kind = 'flow-completed' AND outcome = 'completed')
            FROM r WHERE flow IS NOT NULL AND kind IN ('turn', 'flow-completed') GROUP BY flow ORDER BY flow
            """,
        Escalation: InRange + """
            , offers AS (SELECT customer, min(occurred_at) AS t0 FROM r WHERE kind = 'escalation-offered' AND outcome = 'call' GROUP BY customer),
            started AS (SELECT o.customer, min(e.occurred_at) AS t1 FROM offers o JOIN r e ON e.customer = o.customer AND e.occurred_at >= o.t0
                        AND e.channel = 'voice' AND e.kind IN ('turn', 'call-answered') GROUP BY o.customer),
            completed AS (SELECT DISTINCT s.customer FROM started s JOIN r e ON e.customer = s.customer AND e.occurred_at >= s.t1
                          AND e.kind = 'flow-completed' AND e.outcome = 'completed')
            SELECT (SELECT count(*) FROM offers), (SELECT count(*) FROM started), (SELECT count(*) FROM completed)
            """,
        Switches: InRange + """
            SELECT from_channel, channel, count(*), count(*) FILTER (WHERE zero_repeat) FROM r
            WHERE kind = 'channel-switch' AND from_channel IS NOT NULL GROUP BY ALL ORDER BY 1, 2
            """,
        JourneySteps: InRange + """
            SELECT journey, step, count(DISTINCT customer) FROM r WHERE kind = 'journey-step' AND journey IS NOT NULL AND step IS NOT NULL
            GROUP BY ALL ORDER BY journey, min(occurred_at), step
            """,
        Journeys: InRange + """
            SELECT journey, count(DISTINCT customer) FILTER (WHERE kind = 'journey-step'), count(DISTINCT customer) FILTER (WHERE kind = 'journey-goal'),
                   quantile_cont(duration_ms, 0.5) FILTER (WHERE kind = 'journey-goal'), quantile_cont(duration_ms, 0.9) FILTER (WHERE kind = 'journey-goal')
            FROM r WHERE journey IS NOT NULL AND kind IN ('journey-step', 'journey-goal') GROUP BY journey ORDER BY journey
            """,
        Messages: InRange + "SELECT channel, count(*) FROM r WHERE kind IN ('turn', 'message-sent') GROUP BY channel",
        Costs: InRange + """
            SELECT coalesce(sum(duration_ms) FILTER (WHERE kind = 'call-completed'), 0) / 60000.0,
                   count(*) FILTER (WHERE kind = 'handoff' AND duration_ms IS NULL),
                   coalesce(sum(duration_ms) FILTER (WHERE kind = 'handoff'), 0) / 60000.0
            FROM r
            """,
        Series: InRange + """
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

    private const string Hours = "tenant = $tenant AND hour >= $from AND hour < $to";
    private const string Counts = $"WITH h AS (SELECT * FROM hourly_counts WHERE {Hours}) ";
    private const string Customers = $"SELECT customer, sum(turns) AS turns, sum(handoffs) AS handoffs FROM customer_hours WHERE {Hours}";

    public static readonly MetricSql Summary = new(
        Overview: Counts + $"""
            , conv AS ({Customers} GROUP BY customer HAVING sum(turns) > 0)
            SELECT (SELECT count(*) FROM conv), (SELECT count(*) FROM conv WHERE handoffs = 0),
                   coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0), coalesce(sum(events) FILTER (WHERE kind = 'channel-switch'), 0),
                   coalesce(sum(zero_repeat) FILTER (WHERE kind = 'channel-switch'), 0), coalesce(sum(events) FILTER (WHERE kind = 'handoff'), 0),
                   coalesce(sum(events), 0)
            FROM h
            """,
        Channels: $"""
            SELECT channel, count(*), count(*) FILTER (WHERE handoffs = 0), sum(turns) FROM (
                SELECT channel, customer, sum(turns) AS turns, sum(handoffs) AS handoffs FROM customer_hours WHERE {Hours}
                GROUP BY channel, customer HAVING sum(turns) > 0)
            GROUP BY channel ORDER BY channel
            """,
        Flows: Counts + $"""
            , f AS (SELECT flow, coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0) AS turns,
                           coalesce(sum(events) FILTER (WHERE kind = 'flow-completed' AND outcome = 'completed'), 0) AS done
                    FROM h WHERE flow <> '' AND kind IN ('turn', 'flow-completed') GROUP BY flow),
            c AS (SELECT flow, count(DISTINCT customer) AS n FROM customer_hours WHERE {Hours} AND flow <> '' AND turns > 0 GROUP BY flow)
            SELECT f.flow, coalesce(c.n, 0), f.turns, f.done FROM f LEFT JOIN c ON c.flow = f.flow ORDER BY f.flow
            """,
        Escalation: """
            WITH m AS (SELECT * FROM milestones WHERE tenant = $tenant AND occurred_at >= $from AND occurred_at < $to),
            offers AS (SELECT customer, min(occurred_at) AS t0 FROM m WHERE milestone = 'offer' GROUP BY customer),
            started AS (SELECT o.customer, min(e.occurred_at) AS t1 FROM offers o JOIN m e ON e.customer = o.customer AND e.occurred_at >= o.t0
                        AND e.milestone = 'call' GROUP BY o.customer),
            completed AS (SELECT DISTINCT s.customer FROM started s JOIN m e ON e.customer = s.customer AND e.occurred_at >= s.t1 AND e.milestone = 'done')
            SELECT (SELECT count(*) FROM offers), (SELECT count(*) FROM started), (SELECT count(*) FROM completed)
            """,
        Switches: $"""
            SELECT from_channel, channel, sum(events), sum(zero_repeat) FROM hourly_counts
            WHERE {Hours} AND kind = 'channel-switch' AND from_channel <> '' GROUP BY ALL ORDER BY 1, 2
            """,
        JourneySteps: $"""
            SELECT journey, step, count(DISTINCT customer) FROM journey_steps WHERE {Hours} AND step <> ''
            GROUP BY ALL ORDER BY journey, min(first_at), step
            """,
        Journeys: $"""
            WITH s AS (SELECT journey, count(DISTINCT customer) AS n FROM journey_steps WHERE {Hours} GROUP BY journey),
            g AS (SELECT journey, count(DISTINCT customer) AS n, quantile_cont(duration_ms, 0.5) AS p50, quantile_cont(duration_ms, 0.9) AS p90
                  FROM journey_goals WHERE tenant = $tenant AND occurred_at >= $from AND occurred_at < $to GROUP BY journey)
            SELECT coalesce(s.journey, g.journey) AS journey, coalesce(s.n, 0), coalesce(g.n, 0), g.p50, g.p90
            FROM s FULL JOIN g ON g.journey = s.journey ORDER BY journey
            """,
        Messages: $"SELECT channel, sum(events) FROM hourly_counts WHERE {Hours} AND kind IN ('turn', 'message-sent') GROUP BY channel",
        Costs: Counts + $"""
            SELECT coalesce(sum(duration_ms) FILTER (WHERE kind = 'call-completed'), 0) / 60000.0,
                   coalesce(sum(no_duration) FILTER (WHERE kind = 'handoff'), 0),
                   coalesce(sum(duration_ms) FILTER (WHERE kind = 'handoff'), 0) / 60000.0
            FROM h
            """,
        Series: Counts + $$"""
            , b AS (SELECT date_trunc('{unit}', hour) AS bucket, coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0) AS turns,
                           coalesce(sum(events) FILTER (WHERE kind = 'channel-switch'), 0) AS switches,
                           coalesce(sum(zero_repeat) FILTER (WHERE kind = 'channel-switch'), 0) AS zero,
                           coalesce(sum(events) FILTER (WHERE kind = 'handoff'), 0) AS handoffs,
                           coalesce(sum(events) FILTER (WHERE kind = 'journey-goal'), 0) AS goals
                    FROM h GROUP BY 1),
            c AS (SELECT bucket, count(*) AS conv, count(*) FILTER (WHERE handoffs = 0) AS contained FROM (
                    SELECT date_trunc('{unit}', hour) AS bucket, customer, sum(turns) AS turns, sum(handoffs) AS handoffs
                    FROM customer_hours WHERE {{Hours}} GROUP BY 1, 2 HAVING sum(turns) > 0) GROUP BY bucket)
            SELECT b.bucket, coalesce(c.conv, 0), coalesce(c.contained, 0), b.turns, b.switches, b.zero, b.handoffs, b.goals
            FROM b LEFT JOIN c ON c.bucket = b.bucket ORDER BY b.bucket
            """);
}

/// <summary>
/// The exact counters the sketched report takes from <c>hourly_counts</c> (its distinct customers come from sketches),
/// and the volume that decides between the two.
/// </summary>
public static class SketchSql
{
    private const string Hours = "tenant = $tenant AND hour >= $from AND hour < $to";

    /// <summary>Offers of a call in the range: how many customers the escalation funnel would have to follow.</summary>
    public const string Offers = $"SELECT coalesce(sum(events), 0) FROM hourly_counts WHERE {Hours} AND kind = 'escalation-offered' AND outcome = 'call'";

    /// <summary>One customer in <see cref="SampleShare"/>: those whose <c>sample</c> (hash mod 64) is below 4, kept in <c>milestone_sample</c>.</summary>
    public const int SampleShare = 16;

    /// <summary>The escalation funnel on the sampled customers' milestones.</summary>
    public static readonly string SampledEscalation = MetricSql.Summary.Escalation.Replace("FROM milestones", "FROM milestone_sample", StringComparison.Ordinal);

    public const string Volume = $"SELECT coalesce(sum(events), 0) FROM hourly_counts WHERE {Hours} AND kind IN ('turn', 'handoff', 'journey-step')";

    public const string Overview = $"""
        SELECT coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0), coalesce(sum(events) FILTER (WHERE kind = 'channel-switch'), 0),
               coalesce(sum(zero_repeat) FILTER (WHERE kind = 'channel-switch'), 0), coalesce(sum(events) FILTER (WHERE kind = 'handoff'), 0),
               coalesce(sum(events), 0)
        FROM hourly_counts WHERE {Hours}
        """;

    public const string ChannelTurns = $"SELECT channel, sum(events) FROM hourly_counts WHERE {Hours} AND kind = 'turn' GROUP BY channel";

    public const string Flows = $"""
        SELECT flow, coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0), coalesce(sum(events) FILTER (WHERE kind = 'flow-completed' AND outcome = 'completed'), 0)
        FROM hourly_counts WHERE {Hours} AND flow <> '' AND kind IN ('turn', 'flow-completed') GROUP BY flow ORDER BY flow
        """;

    public const string Goals = """
        SELECT journey, count(DISTINCT customer), quantile_cont(duration_ms, 0.5), quantile_cont(duration_ms, 0.9)
        FROM journey_goals WHERE tenant = $tenant AND occurred_at >= $from AND occurred_at < $to GROUP BY journey
        """;

    public const string Series = $$"""
        SELECT date_trunc('{unit}', hour) AS bucket, coalesce(sum(events) FILTER (WHERE kind = 'turn'), 0),
               coalesce(sum(events) FILTER (WHERE kind = 'channel-switch'), 0), coalesce(sum(zero_repeat) FILTER (WHERE kind = 'channel-switch'), 0),
               coalesce(sum(events) FILTER (WHERE kind = 'handoff'), 0), coalesce(sum(events) FILTER (WHERE kind = 'journey-goal'), 0)
        FROM hourly_counts WHERE {{Hours}} GROUP BY 1 ORDER BY 1
        """;
}

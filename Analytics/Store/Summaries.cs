namespace Switchboard.Analytics.Store;

/// <summary>
/// The summary tables the dashboard reads instead of raw events, kept by the writer in the same transaction as the
/// events it actually inserted (a redelivered event is counted nowhere). Hourly grain: a range on whole hours (every
/// date range) is answered from them exactly. Customers are keyed by <c>md5_number(customer)</c> (128 bits).
/// Names that may be absent (flow, outcome, from-channel, step) are stored as '' (no valid name is empty).
/// </summary>
public static class Summaries
{
    /// <summary>Bumped when a summary's shape changes: the tables are then rebuilt from the events on open.</summary>
    public const int Version = 3;

    public static readonly string[] Create =
    [
        "CREATE TABLE IF NOT EXISTS summary_version (version INTEGER NOT NULL)",
        // Counters per hour and every dimension a figure groups by.
        """
        CREATE TABLE IF NOT EXISTS hourly_counts (tenant VARCHAR, hour TIMESTAMP, kind VARCHAR, channel VARCHAR, flow VARCHAR, outcome VARCHAR,
            from_channel VARCHAR, events BIGINT NOT NULL, zero_repeat BIGINT NOT NULL, duration_ms DOUBLE NOT NULL, no_duration BIGINT NOT NULL,
            PRIMARY KEY (tenant, hour, kind, channel, flow, outcome, from_channel))
        """,
        // Conversations (distinct customers with a turn), containment and handling turns.
        """
        CREATE TABLE IF NOT EXISTS customer_hours (tenant VARCHAR, hour TIMESTAMP, customer UHUGEINT, channel VARCHAR, flow VARCHAR,
            turns BIGINT NOT NULL, handoffs BIGINT NOT NULL, PRIMARY KEY (tenant, hour, customer, channel, flow))
        """,
        // The escalation funnel needs order in time per customer: only the three kinds of event it looks at. sample
        // (0–63, from the customer's hash) lets a range of very many offers be counted on a fixed share of customers.
        "CREATE TABLE IF NOT EXISTS milestones (tenant VARCHAR NOT NULL, customer UHUGEINT NOT NULL, occurred_at TIMESTAMP NOT NULL, milestone VARCHAR NOT NULL, sample UTINYINT NOT NULL)",
        // The milestones of one customer in sixteen (sample < 4): the funnel of a range with very many offers reads this.
        "CREATE TABLE IF NOT EXISTS milestone_sample (tenant VARCHAR NOT NULL, customer UHUGEINT NOT NULL, occurred_at TIMESTAMP NOT NULL, milestone VARCHAR NOT NULL, sample UTINYINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS journey_steps (tenant VARCHAR, hour TIMESTAMP, journey VARCHAR, step VARCHAR, customer UHUGEINT,
            first_at TIMESTAMP NOT NULL, PRIMARY KEY (tenant, hour, journey, step, customer))
        """,
        // Goals are few: kept whole for the time-to-goal percentiles.
        "CREATE TABLE IF NOT EXISTS journey_goals (tenant VARCHAR NOT NULL, occurred_at TIMESTAMP NOT NULL, journey VARCHAR NOT NULL, customer UHUGEINT NOT NULL, duration_ms DOUBLE)",
        // Distinct customers per hour and day as HyperLogLog sketches (Sketches/SketchBook.cs): ranges of many events.
        Sketches.SketchBook.Create,
        Sketches.SketchBook.CreateState,
    ];

    public static readonly string[] Drop = ["hourly_counts", "customer_hours", "milestones", "milestone_sample", "journey_steps", "journey_goals", Sketches.SketchBook.Table, "sketch_state", "summary_version"];

    /// <summary>The events the escalation funnel looks at: an offered call, a voice turn or answered call, a completed flow.</summary>
    private const string Milestone =
        "(kind = 'escalation-offered' AND outcome = 'call') OR (kind = 'flow-completed' AND outcome = 'completed') OR (channel = 'voice' AND kind IN ('turn', 'call-answered'))";

    /// <summary>Adds the events of <paramref name="source"/> (the batch's new rows, or all events on a rebuild) to every summary.</summary>
    public static string[] Add(string source) =>
    [
        $"""
        INSERT INTO hourly_counts
        SELECT tenant, date_trunc('hour', occurred_at), kind, channel, coalesce(flow, ''), coalesce(outcome, ''), coalesce(from_channel, ''),
               count(*), count(*) FILTER (WHERE zero_repeat), coalesce(sum(duration_ms), 0), count(*) FILTER (WHERE duration_ms IS NULL)
        FROM {source} GROUP BY ALL
        ON CONFLICT DO UPDATE SET events = events + EXCLUDED.events, zero_repeat = zero_repeat + EXCLUDED.zero_repeat,
            duration_ms = duration_ms + EXCLUDED.duration_ms, no_duration = no_duration + EXCLUDED.no_duration
        """,
        $"""
        INSERT INTO customer_hours
        SELECT tenant, date_trunc('hour', occurred_at), md5_number(customer), channel, coalesce(flow, ''),
               count(*) FILTER (WHERE kind = 'turn'), count(*) FILTER (WHERE kind = 'handoff')
        FROM {source} WHERE kind IN ('turn', 'handoff') GROUP BY ALL
        ON CONFLICT DO UPDATE SET turns = turns + EXCLUDED.turns, handoffs = handoffs + EXCLUDED.handoffs
        """,
        $"""
        INSERT INTO milestones
        SELECT tenant, c, occurred_at,
               CASE WHEN kind = 'escalation-offered' THEN 'offer' WHEN kind = 'flow-completed' THEN 'done' ELSE 'call' END, (c % 64)::UTINYINT
        FROM (SELECT *, md5_number(customer) AS c FROM {source} WHERE {Milestone})
        """,
        $"""
        INSERT INTO milestone_sample
        SELECT tenant, c, occurred_at,
               CASE WHEN kind = 'escalation-offered' THEN 'offer' WHEN kind = 'flow-completed' THEN 'done' ELSE 'call' END, (c % 64)::UTINYINT
        FROM (SELECT *, md5_number(customer) AS c FROM {source} WHERE {Milestone})
        WHERE c % 64 < 4
        """,
        $"""
        INSERT INTO journey_steps
        SELECT tenant, date_trunc('hour', occurred_at), journey, coalesce(step, ''), md5_number(customer), min(occurred_at)
        FROM {source} WHERE kind = 'journey-step' AND journey IS NOT NULL GROUP BY ALL
        ON CONFLICT DO UPDATE SET first_at = least(first_at, EXCLUDED.first_at)
        """,
        $"""
        INSERT INTO journey_goals
        SELECT tenant, occurred_at, journey, md5_number(customer), duration_ms FROM {source} WHERE kind = 'journey-goal' AND journey IS NOT NULL
        """,
    ];
}

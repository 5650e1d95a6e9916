using DuckDB.NET.Data;
using Switchboard.Analytics.Sketches;
using Switchboard.Analytics.Store;

namespace Switchboard.Analytics.Metrics;

/// <summary>
/// The metrics as SQL over the event store, one query per figure group (<see cref="MetricSql"/>). A range on whole
/// hours (every date range, the default range) reads the writer's summary tables; any other range reads the raw
/// events. A conversation is a customer with at least one turn in the range. Definitions: docs/analytics.md.
/// When such a range holds more than <paramref name="exactUpTo"/> turns, handoffs and journey steps, the distinct
/// customer counts (conversations, contained, per channel, flow, journey step, series bucket) come from the
/// HyperLogLog sketches (<see cref="SketchReader"/>, ±0.81 % standard error) and the report says
/// <see cref="Metrics.Report.Approximate"/>; every other figure stays exact.
/// </summary>
public sealed class MetricQueries(EventStore store, CostModel costs, long exactUpTo = MetricQueries.DefaultExactUpTo,
    long escalationExactUpTo = MetricQueries.DefaultEscalationExactUpTo)
{
    /// <summary>Up to this many turn, handoff and journey-step events in a range, distinct counts are exact.</summary>
    public const long DefaultExactUpTo = 250_000;
    /// <summary>
    /// Up to this many call offers in a range, the escalation funnel follows every customer; above, a sketched report
    /// follows one customer in 16 (by hash, <c>milestone_sample</c>) and scales the counts by 16.
    /// </summary>
    public const long DefaultEscalationExactUpTo = 50_000;

    public static bool OnWholeHours(MetricRange range) =>
        range.From.UtcTicks % TimeSpan.TicksPerHour == 0 && range.To.UtcTicks % TimeSpan.TicksPerHour == 0;

    public Report Report(MetricRange range)
    {
        if (!OnWholeHours(range)) return Report(range, MetricSql.Raw);
        using var db = store.OpenReader();
        return Sketched(db, range) ? SketchedReport(db, range) : Report(db, range, MetricSql.Summary);
    }

    public IReadOnlyList<SeriesPoint> Series(MetricRange range)
    {
        if (!OnWholeHours(range)) return Series(range, MetricSql.Raw);
        using var db = store.OpenReader();
        return Sketched(db, range) ? SketchedSeries(db, range) : Series(db, range, MetricSql.Summary);
    }

    /// <summary>The report recomputed from the raw events, whatever the range (tests and the benchmark compare with it).</summary>
    public Report RawReport(MetricRange range) => Report(range, MetricSql.Raw);

    public IReadOnlyList<SeriesPoint> RawSeries(MetricRange range) => Series(range, MetricSql.Raw);

    private Report Report(MetricRange range, MetricSql sql)
    {
        using var db = store.OpenReader();
        return Report(db, range, sql);
    }

    private Report Report(DuckDBConnection db, MetricRange range, MetricSql sql)
    {
        var overview = Overview(db, range, sql);
        return new Report(range.Tenant, range.From, range.To, overview, Channels(db, range, sql), Flows(db, range, sql),
            Escalation(db, range, sql), Switches(db, range, sql), Journeys(db, range, sql), Roi(db, range, sql, overview.Conversations));
    }

    /// <summary>Each figure group's query alone over <paramref name="range"/>, median of <paramref name="runs"/> (the benchmark's profile).</summary>
    public IReadOnlyList<(string Figure, TimeSpan Median)> Profile(MetricRange range, int runs)
    {
        var sql = OnWholeHours(range) ? MetricSql.Summary : MetricSql.Raw;
        using var db = store.OpenReader();
        var sketched = OnWholeHours(range) && Sketched(db, range);
        var sketches = sketched ? SketchReader.Over(db, range) : null;
        var parts = new (string, Action)[]
        {
            ("choice", () => Sketched(db, range)),
            ("sketch read", () => { if (sketched) SketchReader.Over(db, range); }),
            ("sketch read, days only", () => { if (sketched) SketchReader.Over(db, range, months: false); }),
            ("overview", () => { if (sketched) SketchedOverview(db, range, sketches!); else Overview(db, range, sql); }),
            ("channels", () => { if (sketched) SketchedChannels(db, range, sketches!); else Channels(db, range, sql); }),
            ("flows", () => { if (sketched) SketchedFlows(db, range, sketches!); else Flows(db, range, sql); }),
            ("escalation", () => { if (sketched) SampledEscalation(db, range); else Escalation(db, range, sql); }),
            ("switches", () => Switches(db, range, sql)),
            ("journeys", () => { if (sketched) SketchedJourneys(db, range, sketches!); else Journeys(db, range, sql); }),
            ("roi", () => Roi(db, range, sql, 0)),
            ("series", () => { if (sketched) SketchedSeries(db, range); else Series(db, range, sql); }),
        };
        var result = new List<(string, TimeSpan)>();
        foreach (var (name, run) in parts)
        {
            var times = new List<TimeSpan>();
            for (var i = 0; i < runs; i++)
            {
                var t = System.Diagnostics.Stopwatch.GetTimestamp();
                run();
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t));
            }
            times.Sort();
            result.Add((name, times[times.Count / 2]));
        }
        return result;
    }

    private IReadOnlyList<SeriesPoint> Series(MetricRange range, MetricSql sql)
    {
        using var db = store.OpenReader();
        return Series(db, range, sql);
    }

    private static IReadOnlyList<SeriesPoint> Series(DuckDBConnection db, MetricRange range, MetricSql sql)
    {
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

    /// <summary>Whether the range holds too many events for exact distinct counts within the dashboard's budget.</summary>
    private bool Sketched(DuckDBConnection db, MetricRange range) => L(Rows(db, range, SketchSql.Volume)[0][0]) > exactUpTo;

    private Report SketchedReport(DuckDBConnection db, MetricRange range)
    {
        store.FlushSketches();
        var sql = MetricSql.Summary;
        var sketches = SketchReader.Over(db, range);
        var overview = SketchedOverview(db, range, sketches);
        return new Report(range.Tenant, range.From, range.To, overview, SketchedChannels(db, range, sketches), SketchedFlows(db, range, sketches),
            SampledEscalation(db, range), Switches(db, range, sql), SketchedJourneys(db, range, sketches), Roi(db, range, sql, overview.Conversations))
        { Approximate = true };
    }

    /// <summary>Conversations = |customers with a turn|; contained = |with a turn or a handoff| − |with a handoff| (never below 0 or above conversations).</summary>
    private static (long Conversations, long Contained) Containment(DistinctSketch? turns, DistinctSketch? handoffs)
    {
        if (turns is null) return (0, 0);
        var conversations = turns.Estimate();
        if (handoffs is null) return (conversations, conversations);
        var union = new DistinctSketch();
        union.Merge(turns);
        union.Merge(handoffs);
        return (conversations, Math.Clamp(union.Estimate() - handoffs.Estimate(), 0, conversations));
    }

    private static Dictionary<string, SketchReader.Union> Set(Dictionary<string, Dictionary<string, SketchReader.Union>> sketches, string set) =>
        sketches.GetValueOrDefault(set) ?? [];

    private static Overview SketchedOverview(DuckDBConnection db, MetricRange range, Dictionary<string, Dictionary<string, SketchReader.Union>> sketches)
    {
        var x = Rows(db, range, SketchSql.Overview)[0];
        var (conversations, contained) = Containment(
            Set(sketches, SketchSets.Turn).GetValueOrDefault("")?.Sketch,
            Set(sketches, SketchSets.Handoff).GetValueOrDefault("")?.Sketch);
        long turns = L(x[0]), switches = L(x[1]), zero = L(x[2]);
        return new Overview(conversations, contained, Ratio(contained, conversations), turns, Ratio(turns, conversations),
            switches, zero, Ratio(zero, switches), L(x[3]), L(x[4]));
    }

    /// <summary>The escalation funnel on one customer in 16 (by hash) when the range holds very many offers, scaled back.</summary>
    private Escalation SampledEscalation(DuckDBConnection db, MetricRange range)
    {
        if (L(Rows(db, range, SketchSql.Offers)[0][0]) <= escalationExactUpTo) return Escalation(db, range, MetricSql.Summary);
        var x = Rows(db, range, SketchSql.SampledEscalation)[0];
        const int k = SketchSql.SampleShare;
        long offered = k * L(x[0]), started = k * L(x[1]), completed = k * L(x[2]);
        return new Escalation(offered, started, completed, Lost(completed, offered), Lost(started, offered), Lost(completed, started));
    }

    private static IReadOnlyList<ChannelFigures> SketchedChannels(DuckDBConnection db, MetricRange range, Dictionary<string, Dictionary<string, SketchReader.Union>> sketches)
    {
        var turns = Rows(db, range, SketchSql.ChannelTurns).ToDictionary(x => S(x[0]), x => L(x[1]));
        var handoffs = Set(sketches, SketchSets.HandoffChannel);
        return [.. Set(sketches, SketchSets.TurnChannel).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var (conversations, contained) = Containment(kv.Value.Sketch, handoffs.GetValueOrDefault(kv.Key)?.Sketch);
            var t = turns.GetValueOrDefault(kv.Key);
            return new ChannelFigures(kv.Key, conversations, contained, Ratio(contained, conversations), t, Ratio(t, conversations));
        })];
    }

    private static IReadOnlyList<FlowFigures> SketchedFlows(DuckDBConnection db, MetricRange range, Dictionary<string, Dictionary<string, SketchReader.Union>> sketches)
    {
        var customers = Set(sketches, SketchSets.TurnFlow);
        return [.. Rows(db, range, SketchSql.Flows).Select(x =>
        {
            var conversations = customers.GetValueOrDefault(S(x[0]))?.Sketch.Estimate() ?? 0;
            return new FlowFigures(S(x[0]), conversations, L(x[1]), L(x[2]), Ratio(L(x[1]), conversations));
        })];
    }

    private static IReadOnlyList<JourneyFigures> SketchedJourneys(DuckDBConnection db, MetricRange range, Dictionary<string, Dictionary<string, SketchReader.Union>> sketches)
    {
        var steps = Set(sketches, SketchSets.JourneyStep)
            .Select(kv => (Journey: kv.Key[..kv.Key.IndexOf('/')], Step: kv.Key[(kv.Key.IndexOf('/') + 1)..], kv.Value))
            .GroupBy(x => x.Journey).ToDictionary(g => g.Key, g => g.ToList());
        var goals = Rows(db, range, SketchSql.Goals).ToDictionary(x => S(x[0]));
        return [.. steps.Keys.Union(goals.Keys).Order(StringComparer.Ordinal).Select(journey =>
        {
            var mine = steps.GetValueOrDefault(journey) ?? [];
            var enrolled = new DistinctSketch();
            foreach (var s in mine) enrolled.Merge(s.Value.Sketch);
            var g = goals.GetValueOrDefault(journey);
            long n = enrolled.Estimate(), reached = g is null ? 0 : L(g[1]);
            return new JourneyFigures(journey, n, reached, Ratio(reached, n), g is null ? null : D(g[2]), g is null ? null : D(g[3]),
                [.. mine.Where(s => s.Step != "").OrderBy(s => s.Value.FirstAt).ThenBy(s => s.Step, StringComparer.Ordinal)
                    .Select(s => new JourneyStepFigures(s.Step, s.Value.Sketch.Estimate()))]);
        })];
    }

    private IReadOnlyList<SeriesPoint> SketchedSeries(DuckDBConnection db, MetricRange range)
    {
        store.FlushSketches();
        var turns = SketchReader.ByBucket(db, range, SketchSets.Turn);
        var handoffs = SketchReader.ByBucket(db, range, SketchSets.Handoff);
        var rows = Rows(db, range, SketchSql.Series.Replace("{unit}", range.Bucket == Bucket.Hour ? "hour" : "day"));
        return [.. rows.Select(x =>
        {
            var bucket = (DateTime)x[0]!;
            var (conversations, contained) = Containment(turns.GetValueOrDefault(bucket), handoffs.GetValueOrDefault(bucket));
            return new SeriesPoint(new DateTimeOffset(DateTime.SpecifyKind(bucket, DateTimeKind.Utc)), conversations, contained,
                Ratio(contained, conversations), L(x[1]), L(x[2]), L(x[3]), L(x[4]), L(x[5]));
        })];
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

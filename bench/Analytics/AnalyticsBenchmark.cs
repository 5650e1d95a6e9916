using System.Diagnostics;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Bench.Analytics;

/// <summary>
/// <c>dotnet run -c Release --project bench -- analytics [--events 500000] [--query-events 10000000] [--queries 20]</c>.
/// Ingest: events through the <see cref="EventWriter"/> (check, dedupe by key, batch append to the DuckDB file) and one
/// full report over them, against the peer of a bare DuckDB appender into a table without a key (the floor).
/// Query: the dashboard's report and series over <c>--query-events</c> events of one tenant (generated inside DuckDB),
/// p50/p95 of <c>--queries</c> runs, against the peer of one <c>count(*)</c> scan of the same rows.
/// </summary>
public sealed class AnalyticsBenchmark : IBenchmark
{
    public string Name => "analytics";
    public string Description => "interaction events: ingest + aggregate rate (vs a bare appender), dashboard report p95 over 10M events (vs a count scan)";

    private static readonly Channel[] Channels = Enum.GetValues<Channel>();

    public async Task<int> RunAsync(string[] args)
    {
        var events = Options.Int(args, "--events", 500_000);
        var queryEvents = Options.Int(args, "--query-events", 10_000_000);
        var queries = Math.Max(5, Options.Int(args, "--queries", 20));
        // --keep DIR: the generated 10M-event file stays in DIR and is reused by the next run (profiling the queries).
        var keep = Options.String(args, "--keep", "");
        var dir = keep == "" ? Directory.CreateTempSubdirectory("switchboard-analytics-bench-") : Directory.CreateDirectory(keep);
        try
        {
            if (!Options.Flag(args, "--skip-ingest")) await Ingest(dir.FullName, events);
            if (!Options.Flag(args, "--skip-query")) Query(dir.FullName, queryEvents, queries, reuse: keep != "");
        }
        finally
        {
            if (keep == "") dir.Delete(recursive: true);
        }
        return 0;
    }

    private static List<InteractionEvent> Synthetic(int n)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-7);
        var list = new List<InteractionEvent>(n);
        for (var i = 0; i < n; i++)
        {
            var customer = $"c-{i % 50_000:x20}";
            var channel = Channels[i % Channels.Length];
            var kind = (i % 10) switch { 0 => InteractionKind.ChannelSwitch, 1 => InteractionKind.Handoff, 2 => InteractionKind.EscalationOffered, 3 => InteractionKind.FlowCompleted, _ => InteractionKind.Turn };
            list.Add(new InteractionEvent($"bench:{i}", kind, i % 3 == 0 ? "autoservice" : "airline", customer, channel, start.AddSeconds(i % 600_000),
                "rebook", "rebook", "date", kind == InteractionKind.EscalationOffered ? "call" : kind == InteractionKind.FlowCompleted ? "completed" : "answered",
                kind == InteractionKind.ChannelSwitch ? Channels[(i + 1) % Channels.Length] : null, null, 12.5, kind == InteractionKind.ChannelSwitch ? i % 20 != 0 : null));
        }
        return list;
    }

    private static async Task Ingest(string dir, int n)
    {
        var events = Synthetic(n);
        // Peer: the bare appender, no checks, no key, no dedupe.
        var sw = Stopwatch.StartNew();
        using (var raw = new DuckDBConnection($"DataSource={Path.Combine(dir, "raw.duckdb")}"))
        {
            raw.Open();
            using (var cmd = raw.CreateCommand())
            {
                cmd.CommandText = "CREATE TABLE raw (id VARCHAR, kind VARCHAR, tenant VARCHAR, customer VARCHAR, channel VARCHAR, occurred_at TIMESTAMP)";
                cmd.ExecuteNonQuery();
            }
            using var appender = raw.CreateAppender("raw");
            foreach (var e in events)
                appender.CreateRow().AppendValue(e.Id).AppendValue(e.Kind.ToString()).AppendValue(e.Tenant).AppendValue(e.CustomerId)
                    .AppendValue(e.Channel.ToString()).AppendValue(e.At.UtcDateTime).EndRow();
        }
        var peer = n / sw.Elapsed.TotalSeconds;

        var store = EventStore.Open(Path.Combine(dir, EventStore.FileName));
        var writer = new EventWriter(store, NullLogger.Instance, capacity: n + 1);
        sw.Restart();
        writer.Enqueue(events);
        await writer.FlushAsync();
        var ingest = sw.Elapsed;
        var queries = new MetricQueries(store, new CostModel());
        var report = queries.Report(new MetricRange("airline", DateTimeOffset.UtcNow.AddDays(-8), DateTimeOffset.UtcNow.AddDays(1)));
        var total = sw.Elapsed;
        var rate = n / total.TotalSeconds;
        Console.WriteLine($"ingest: {n:N0} events stored {writer.StoredCount:N0} (rejected {writer.Rejected}, dropped {writer.Dropped}) in {ingest.TotalMilliseconds:N0} ms; " +
            $"+ one report ({report.Overview.Events:N0} airline events) = {total.TotalMilliseconds:N0} ms");
        Console.WriteLine($"  where the writer's time goes: {string.Join(", ", store.Phases().Select(p => $"{p.Phase} {p.Time.TotalMilliseconds:N0} ms"))}");
        Console.WriteLine($"ingest + aggregate: {rate:N0} events/s (target >= 50,000); bare appender peer {peer:N0} events/s; ratio {rate / peer:0.00}x");
        // Redelivery: the same events again are all dropped as duplicates.
        sw.Restart();
        writer.Enqueue(events.Take(100_000));
        await writer.FlushAsync();
        Console.WriteLine($"redelivery of {Math.Min(n, 100_000):N0}: {writer.Duplicates:N0} dropped as duplicates in {sw.ElapsedMilliseconds:N0} ms, stored stays {store.Count():N0}");
        await writer.DisposeAsync();
        store.Dispose();
    }

    private static void Query(string dir, int n, int runs, bool reuse)
    {
        var path = Path.Combine(dir, "query.duckdb");
        var existed = reuse && File.Exists(path);
        var sw = Stopwatch.StartNew();
        // A file kept from a build before the month sketches gets them here (SketchBook.EnsureMonths).
        var store = EventStore.Open(path);
        var opened = sw.Elapsed;
        sw.Restart();
        if (existed && store.Count() == n) Console.WriteLine($"query: reusing {n:N0} events in {path} (opened in {opened.TotalMilliseconds:N0} ms)");
        else
        {
        using (var db = store.OpenReader())
        using (var cmd = db.CreateCommand())
        {
            // Generated inside DuckDB: the query target is the point here, not the ingest path (measured above).
            cmd.CommandText = $"""
                INSERT INTO events SELECT i, CASE i % 10 WHEN 0 THEN 'channel-switch' WHEN 1 THEN 'handoff' WHEN 2 THEN 'escalation-offered'
                    WHEN 3 THEN 'flow-completed' WHEN 4 THEN 'journey-step' ELSE 'turn' END,
                  'airline', 'c-' || lpad(to_hex(i % 1000000), 20, '0'), ['whatsapp','webchat','sms','rcs','voice'][1 + i % 5],
                  TIMESTAMP '2026-11-01' + to_seconds(i * 0.25), 'rebook', 'rebook', 'date',
                  CASE i % 10 WHEN 2 THEN 'call' WHEN 3 THEN 'completed' ELSE 'answered' END,
                  CASE i % 10 WHEN 0 THEN ['whatsapp','webchat','sms','rcs','voice'][1 + (i + 1) % 5] END,
                  CASE i % 10 WHEN 4 THEN 'win-back' END, 1000.0 * (i % 97), CASE i % 10 WHEN 0 THEN i % 20 <> 0 END, 0
                FROM range({n}) t(i)
                """;
            cmd.ExecuteNonQuery();
        }
        Console.WriteLine($"query: {store.Count():N0} events generated in {sw.Elapsed.TotalSeconds:N1} s");
        sw.Restart();
        store.RebuildSummaries();
        store.Checkpoint();
        Console.WriteLine($"  summaries built from them in {sw.Elapsed.TotalSeconds:N1} s: {SummaryRows(store)}");
        }
        var queries = new MetricQueries(store, new CostModel());
        var range = new MetricRange("airline", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var report = new Percentiles();
        var series = new Percentiles();
        var scan = new Percentiles();
        queries.Report(range); // warm
        for (var i = 0; i < runs; i++)
        {
            var t = Stopwatch.GetTimestamp();
            var r = queries.Report(range);
            report.Add(Stopwatch.GetTimestamp() - t);
            if (i == 0) Console.WriteLine($"  report: {r.Overview.Events:N0} events, {r.Overview.Conversations:N0} conversations, containment {r.Overview.Containment}");
            t = Stopwatch.GetTimestamp();
            queries.Series(range);
            series.Add(Stopwatch.GetTimestamp() - t);
            t = Stopwatch.GetTimestamp();
            using var db = store.OpenReader();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM events WHERE tenant = 'airline'";
            cmd.ExecuteScalar();
            scan.Add(Stopwatch.GetTimestamp() - t);
        }
        var rawReport = new Percentiles();
        for (var i = 0; i < Math.Min(3, runs); i++)
        {
            var t = Stopwatch.GetTimestamp();
            var raw = queries.RawReport(range);
            rawReport.Add(Stopwatch.GetTimestamp() - t);
            if (i == 0) Compare(raw, queries.Report(range));
        }
        Console.WriteLine($"raw-event report (before):    p50 {rawReport.Micros(50) / 1000:N0} ms ({Math.Min(3, runs)} runs)");
        Console.WriteLine($"dashboard report (summaries, sketches): p50 {report.Micros(50) / 1000:N0} ms, p95 {report.Micros(95) / 1000:N0} ms (target p95 <= 200 ms); report/scan p95 ratio {report.Micros(95) / scan.Micros(95):0.0}x");
        Console.WriteLine($"series by day:                p50 {series.Micros(50) / 1000:N0} ms, p95 {series.Micros(95) / 1000:N0} ms");
        Console.WriteLine($"peer count(*) scan:           p50 {scan.Micros(50) / 1000:N1} ms; report/scan p50 ratio {report.Micros(50) / scan.Micros(50):0.0}x");
        Profile(store, range);
        store.Dispose();
    }

    /// <summary>The report against the raw-event recomputation: relative error of the sketched and sampled counts, exact equality of the rest.</summary>
    private static void Compare(Report raw, Report report)
    {
        static string Err(long exact, long estimate) => $"{estimate:N0} vs {exact:N0} ({(exact == 0 ? 0 : 100.0 * (estimate - exact) / exact):+0.00;-0.00;0}%)";
        static string json(object value) => System.Text.Json.JsonSerializer.Serialize(value);
        Console.WriteLine($"  report vs raw events (approximate: {report.Approximate}): conversations {Err(raw.Overview.Conversations, report.Overview.Conversations)}, " +
            $"contained {Err(raw.Overview.Contained, report.Overview.Contained)}, " +
            $"channel conversations {string.Join(" ", raw.Channels.Zip(report.Channels).Select(c => Err(c.First.Conversations, c.Second.Conversations)))}, " +
            $"flow conversations {string.Join(" ", raw.Flows.Zip(report.Flows).Select(c => Err(c.First.Conversations, c.Second.Conversations)))}, " +
            $"journey enrolled {string.Join(" ", raw.Journeys.Zip(report.Journeys).Select(c => Err(c.First.Enrolled, c.Second.Enrolled)))}, " +
            $"offered {Err(raw.Escalation.Offered, report.Escalation.Offered)}, started {Err(raw.Escalation.CallStarted, report.Escalation.CallStarted)}, " +
            $"completed {Err(raw.Escalation.FlowCompleted, report.Escalation.FlowCompleted)}; " +
            $"turns, switches, handoffs, events, switch matrix, messages equal: " +
            $"{(raw.Overview.Turns, raw.Overview.Switches, raw.Overview.Handoffs, raw.Overview.Events, json(raw.Switches), raw.Roi.Messages) == (report.Overview.Turns, report.Overview.Switches, report.Overview.Handoffs, report.Overview.Events, json(report.Switches), report.Roi.Messages)}");
    }

    /// <summary>Where the report's time goes: each figure group's query alone, p50 of three runs.</summary>
    private static void Profile(EventStore store, MetricRange range)
    {
        var parts = new List<string>();
        foreach (var (name, time) in new MetricQueries(store, new CostModel()).Profile(range, 3))
            parts.Add($"{name} {time.TotalMilliseconds:N0} ms");
        Console.WriteLine($"  where the report's time goes (p50 of 3 each): {string.Join(", ", parts)}");
        using var db = store.OpenReader();
        var (months, monthBytes) = Switchboard.Analytics.Sketches.SketchReader.Size(db, range);
        var (days, dayBytes) = Switchboard.Analytics.Sketches.SketchReader.Size(db, range, months: false);
        Console.WriteLine($"  sketches merged for the range: {months:N0} ({monthBytes / 1024:N0} KB) with month sketches, {days:N0} ({dayBytes / 1024:N0} KB) from days");
    }

    private static string SummaryRows(EventStore store)
    {
        using var db = store.OpenReader();
        return string.Join(", ", new[] { "hourly_counts", "customer_hours", "milestones", "journey_steps", "journey_goals" }.Select(t =>
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM {t}";
            return $"{t} {Convert.ToInt64(cmd.ExecuteScalar()):N0}";
        }));
    }
}

using System.Text.Json;
using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Sketches;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// The HyperLogLog sketches behind the approximate distinct counts: estimates within the documented bound (three
/// standard errors, 3 × 0.81 %), merging, the stored form; and a sketched report against the exact recomputation
/// from the raw events, every distinct count within the bound and every other figure identical.
/// </summary>
public sealed class SketchTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static long Bound(long exact) => (long)Math.Ceiling(3 * DistinctSketch.StandardError * exact) + 1;

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(2_000)]
    [InlineData(40_000)]
    [InlineData(400_000)]
    public void Estimate_is_within_three_standard_errors(int n)
    {
        var sketch = new DistinctSketch();
        for (var i = 0; i < n; i++)
        {
            sketch.Add($"c-{i:x20}");
            sketch.Add($"c-{i:x20}"); // twice: a redelivery changes nothing
        }
        Assert.InRange(sketch.Estimate(), n - Bound(n), n + Bound(n));
        Assert.Equal(0, new DistinctSketch().Estimate());
    }

    [Fact]
    public void Merged_sketches_equal_the_sketch_of_the_union_and_survive_their_stored_form()
    {
        DistinctSketch Of(int from, int to)
        {
            var s = new DistinctSketch();
            for (var i = from; i < to; i++) s.Add($"c-{i:x20}");
            return s;
        }
        var a = Of(0, 30_000);
        var b = Of(20_000, 50_000);
        var merged = new DistinctSketch();
        merged.Merge(a);
        merged.Merge(b.Encode()); // dense form
        Assert.Equal(Of(0, 50_000).Encode(), merged.Encode());
        var small = Of(0, 100);
        Assert.True(small.Encode().Length < 400, "a small sketch is stored sparse");
        Assert.Equal(small.Encode(), DistinctSketch.Decode(small.Encode()).Encode());
        Near(100, small.Estimate());
        Assert.Throws<InvalidDataException>(() => DistinctSketch.Decode([9, 1, 2]));
    }

    [Fact]
    public void Sketched_report_is_within_the_bound_of_the_exact_one_and_equal_elsewhere()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, EventStore.FileName);
        var events = Events(new Random(20261201), 40_000, customers: 15_000);
        using (var store = EventStore.Open(path))
        {
            // In time order by batch, as a live engine sends them (each batch touches a few hours' sketches), shuffled inside.
            var rng = new Random(3);
            foreach (var chunk in events.OrderBy(e => e.At).Chunk(4096)) store.Append([.. chunk.OrderBy(_ => rng.Next())]);
            // Redelivered: stored once, sketches unchanged.
            Assert.Equal(0, store.Append(events.Take(5_000).ToList()));
            Check(store, events);
        }
        // The sketches are rebuilt from the events when the summaries are of an older shape.
        using (var store = EventStore.Open(path))
        {
            using var db = store.OpenReader();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"DELETE FROM summary_version; DELETE FROM {SketchBook.Table}";
            cmd.ExecuteNonQuery();
        }
        using (var store = EventStore.Open(path)) Check(store, events);
    }

    [Fact]
    public void Sketches_a_crash_kept_from_the_table_are_added_again_on_open()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, EventStore.FileName);
        var range = new MetricRange("airline", Start, Start.AddDays(5));
        Report before;
        using (var store = EventStore.Open(path))
        {
            foreach (var chunk in Events(new Random(11), 8_000, customers: 3_000).OrderBy(e => e.At).Chunk(1000)) store.Append(chunk);
            before = new MetricQueries(store, new CostModel(), exactUpTo: 0).Report(range);
            // What a crash between two flushes leaves: the events stored, the sketches and their watermark behind them.
            using var db = store.OpenReader();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"DELETE FROM {SketchBook.Table}; UPDATE sketch_state SET through = 0";
            cmd.ExecuteNonQuery();
        }
        using (var store = EventStore.Open(path))
        {
            var after = new MetricQueries(store, new CostModel(), exactUpTo: 0).Report(range);
            Assert.True(before.Overview.Conversations > 1_000);
            Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(after));
        }
    }

    private static void Check(EventStore store, List<InteractionEvent> events)
    {
        var sketched = new MetricQueries(store, new CostModel(), exactUpTo: 0);
        var exact = new MetricQueries(store, new CostModel());
        foreach (var (from, to, bucket) in new[] { (0, 72, Bucket.Day), (5, 30, Bucket.Hour), (24, 48, Bucket.Day), (0, 24 * 5, Bucket.Day) })
        {
            var range = new MetricRange("airline", Start.AddHours(from), Start.AddHours(to), bucket);
            var a = sketched.Report(range);
            var e = exact.RawReport(range);
            Assert.True(a.Approximate);
            Assert.False(e.Approximate);
            Near(e.Overview.Conversations, a.Overview.Conversations);
            Near(e.Overview.Contained, a.Overview.Contained, e.Overview.Conversations + e.Overview.Handoffs);
            Assert.Equal(e.Overview with { Conversations = 0, Contained = 0, Containment = null, AverageHandlingTurns = null },
                a.Overview with { Conversations = 0, Contained = 0, Containment = null, AverageHandlingTurns = null });
            Assert.Equal(e.Channels.Select(c => c.Channel), a.Channels.Select(c => c.Channel));
            foreach (var (x, y) in e.Channels.Zip(a.Channels))
            {
                Near(x.Conversations, y.Conversations);
                Near(x.Contained, y.Contained, 2 * x.Conversations + e.Overview.Handoffs);
                Assert.Equal(x.Turns, y.Turns);
            }
            Assert.Equal(e.Flows.Select(f => (f.Flow, f.Turns, f.Completed)), a.Flows.Select(f => (f.Flow, f.Turns, f.Completed)));
            foreach (var (x, y) in e.Flows.Zip(a.Flows)) Near(x.Conversations, y.Conversations);
            Assert.Equal(e.Journeys.Select(j => (j.Journey, j.ReachedGoal, j.TimeToGoalP50Ms, j.TimeToGoalP90Ms)),
                a.Journeys.Select(j => (j.Journey, j.ReachedGoal, j.TimeToGoalP50Ms, j.TimeToGoalP90Ms)));
            foreach (var (x, y) in e.Journeys.Zip(a.Journeys))
            {
                Near(x.Enrolled, y.Enrolled);
                Assert.Equal(x.Steps.Select(s => s.Step).Order(), y.Steps.Select(s => s.Step).Order());
                foreach (var s in x.Steps) Near(s.Customers, y.Steps.Single(t => t.Step == s.Step).Customers);
            }
            Assert.Equal(e.Escalation, a.Escalation);
            // Many offers: the funnel follows one customer in 16 (by hash) and scales by 16; binomial error, 4 standard deviations.
            var offers = events.Count(x => x.Tenant == "airline" && x.Kind == InteractionKind.EscalationOffered && x.Outcome == "call" && x.At >= range.From && x.At < range.To);
            var sampled = new MetricQueries(store, new CostModel(), exactUpTo: 0, escalationExactUpTo: offers / 4).Report(range).Escalation;
            foreach (var (x, y) in new[] { (e.Escalation.Offered, sampled.Offered), (e.Escalation.CallStarted, sampled.CallStarted), (e.Escalation.FlowCompleted, sampled.FlowCompleted) })
            {
                Assert.InRange(y, x - 4 * Math.Sqrt(15.0 * x) - 16, x + 4 * Math.Sqrt(15.0 * x) + 16);
                Assert.Equal(0, y % 16);
            }
            Assert.NotEqual(e.Escalation, sampled);
            Assert.Equal(e.Switches, a.Switches);
            Assert.Equal(e.Roi.Messages, a.Roi.Messages);
            Assert.Equal(e.Roi.AgentMinutes, a.Roi.AgentMinutes);
            var series = sketched.Series(range);
            var rawSeries = exact.RawSeries(range);
            Assert.Equal(rawSeries.Select(p => (p.Bucket, p.Turns, p.Switches, p.ZeroRepeatSwitches, p.Handoffs, p.JourneyGoals)),
                series.Select(p => (p.Bucket, p.Turns, p.Switches, p.ZeroRepeatSwitches, p.Handoffs, p.JourneyGoals)));
            foreach (var (x, y) in rawSeries.Zip(series))
            {
                Near(x.Conversations, y.Conversations);
                Near(x.Contained, y.Contained, x.Conversations + x.Handoffs);
            }
        }
        // The same store under the default threshold: small ranges stay exact.
        var small = new MetricRange("airline", Start.AddHours(5), Start.AddHours(6));
        Assert.False(exact.Report(small).Approximate);
    }

    private static void Near(long exact, long estimate, long? scale = null) =>
        Assert.InRange(estimate, exact - Bound(scale ?? exact), exact + Bound(scale ?? exact));

    private static List<InteractionEvent> Events(Random rng, int n, int customers)
    {
        InteractionKind[] kinds =
        [
            InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Handoff,
            InteractionKind.EscalationOffered, InteractionKind.CallAnswered, InteractionKind.FlowCompleted, InteractionKind.ChannelSwitch,
            InteractionKind.JourneyStep, InteractionKind.JourneyStep, InteractionKind.JourneyGoal, InteractionKind.MessageSent,
        ];
        var channels = Enum.GetValues<Channel>();
        string? Pick(params string?[] options) => options[rng.Next(options.Length)];
        var list = new List<InteractionEvent>(n);
        for (var i = 0; i < n; i++)
        {
            var kind = kinds[rng.Next(kinds.Length)];
            list.Add(new InteractionEvent($"sketch:{i}", kind, rng.Next(8) == 0 ? "autoservice" : "airline", $"c-{rng.Next(customers):x20}",
                channels[rng.Next(channels.Length)], Start.AddSeconds(rng.Next(4 * 24 * 3600)),
                Intent: "rebook", Flow: Pick(null, "rebook", "refund"), Step: Pick(null, "offer", "reminder"), Outcome: Pick("call", "completed", "answered"),
                FromChannel: kind == InteractionKind.ChannelSwitch ? channels[rng.Next(channels.Length)] : null,
                Journey: kind is InteractionKind.JourneyStep or InteractionKind.JourneyGoal ? Pick("win-back", "onboarding") : null,
                DurationMs: rng.Next(1, 600) * 1000.0, ZeroRepeat: kind == InteractionKind.ChannelSwitch ? rng.Next(2) == 0 : null));
        }
        return list;
    }
}

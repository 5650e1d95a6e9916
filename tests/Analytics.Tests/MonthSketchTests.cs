using System.Text.Json;
using Switchboard.Analytics.Events;
using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Sketches;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// The month level of the distinct-customer sketches: a range merged from month sketches (plus the days and hours
/// around them) holds exactly the registers of the same range merged from day sketches, and of a sketch built
/// directly from the range's events, for ranges on month edges and ranges starting and ending mid-month, mid-day;
/// a store written before the month level gets it on open, and keeps it as the writer adds events.
/// </summary>
public sealed class MonthSketchTests
{
    // 54 days over three calendar months: October's end, all of November, December's start.
    private static readonly DateTimeOffset Start = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 12, 13, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int month, int day, int hour = 0) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static readonly MetricRange[] Ranges =
    [
        new("airline", At(11, 1), At(12, 1)),              // one whole month
        new("airline", At(10, 20, 7), At(12, 3, 5)),       // mid-month, mid-day at both ends, a whole month inside
        new("airline", At(10, 28), At(12, 1)),             // starts mid-month on a day edge, ends on a month edge
        new("airline", At(11, 1), At(12, 10, 13)),         // starts on a month edge, ends mid-month, mid-day
        new("airline", At(11, 4, 3), At(11, 20)),          // inside one month: days and hours only
        new("airline", At(10, 31, 22), At(12, 1, 2)),      // a whole month with two hours either side
        new("airline", Start, End),                        // everything
    ];

    [Fact]
    public void Month_and_day_merges_give_the_same_sketch_and_both_equal_the_range_s_own_sketch()
    {
        using var dir = new TempDirectory();
        var events = Events(new Random(20261201), 30_000, customers: 9_000);
        using var store = EventStore.Open(Path.Combine(dir.Path, EventStore.FileName));
        Store(store, events);
        store.FlushSketches();
        using var db = store.OpenReader();
        foreach (var range in Ranges)
        {
            var months = SketchReader.Over(db, range);
            var days = SketchReader.Over(db, range, months: false);
            AssertSame(Direct(events, range), months, range);
            AssertSame(Direct(events, range), days, range);
            var spansMonth = range.From <= At(11, 1) && range.To >= At(12, 1);
            var (m, _) = SketchReader.Size(db, range);
            var (d, _) = SketchReader.Size(db, range, months: false);
            if (spansMonth) Assert.True(m < d, $"{range.From:O}..{range.To:O}: {m} sketches with months, {d} from days");
            else Assert.Equal(d, m);
            // And the report built on them: its conversations are the range's own sketch's estimate.
            var report = new MetricQueries(store, new CostModel(), exactUpTo: 0).Report(range);
            Assert.True(report.Approximate);
            Assert.Equal(Direct(events, range)[(SketchSets.Turn, "")].Sketch.Estimate(), report.Overview.Conversations);
            var exact = events.Where(e => e.Tenant == range.Tenant && e.Kind == InteractionKind.Turn && e.At >= range.From && e.At < range.To)
                .Select(e => e.CustomerId).Distinct().LongCount();
            Assert.InRange(report.Overview.Conversations, exact - Bound(exact), exact + Bound(exact));
        }
    }

    [Fact]
    public void A_store_written_before_the_month_level_gets_it_on_open()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, EventStore.FileName);
        var events = Events(new Random(7), 12_000, customers: 4_000);
        var first = events.Take(9_000).ToList();
        Report before;
        using (var store = EventStore.Open(path))
        {
            Store(store, first);
            before = new MetricQueries(store, new CostModel(), exactUpTo: 0).Report(Ranges[1]);
            OldFormat(store, "");
        }
        using (var store = EventStore.Open(path))
        {
            Assert.True(MonthRows(store) > 0, "the month sketches were built on open");
            Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(new MetricQueries(store, new CostModel(), exactUpTo: 0).Report(Ranges[1])));
            CheckAll(store, first);
            // The writer extends the month sketches it finds (loaded from the table) with new events.
            Store(store, events.Skip(9_000).ToList());
            CheckAll(store, events);
            // An old store whose last batches were never flushed into the sketches (a crash): the months are built from
            // the days on open first, then the replay of the later batches adds to hours, days and months alike.
            OldFormat(store, $"DELETE FROM {SketchBook.Table} WHERE start >= TIMESTAMP '2026-11-20'; UPDATE sketch_state SET through = 0;");
        }
        using (var store = EventStore.Open(path))
        {
            CheckAll(store, events);
            using var db = store.OpenReader();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM sketch_levels WHERE level = 'm'";
            Assert.Equal(1L, Convert.ToInt64(cmd.ExecuteScalar()));
        }
    }

    /// <summary>What a file written before the month level holds: no month sketches, no <c>sketch_levels</c>.</summary>
    private static void OldFormat(EventStore store, string more)
    {
        store.FlushSketches();
        using var db = store.OpenReader();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"DELETE FROM {SketchBook.Table} WHERE span = 'm'; DROP TABLE sketch_levels; {more}";
        cmd.ExecuteNonQuery();
        Assert.Equal(0, MonthRows(store));
    }

    private static long MonthRows(EventStore store)
    {
        using var db = store.OpenReader();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {SketchBook.Table} WHERE span = 'm'";
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private static void CheckAll(EventStore store, List<InteractionEvent> events)
    {
        store.FlushSketches();
        using var db = store.OpenReader();
        foreach (var range in Ranges)
        {
            AssertSame(Direct(events, range), SketchReader.Over(db, range), range);
            AssertSame(Direct(events, range), SketchReader.Over(db, range, months: false), range);
        }
    }

    private static long Bound(long exact) => (long)Math.Ceiling(3 * DistinctSketch.StandardError * exact) + 1;

    /// <summary>In time order by batch, as a live engine sends them, shuffled inside each batch.</summary>
    private static void Store(EventStore store, List<InteractionEvent> events)
    {
        var rng = new Random(3);
        foreach (var chunk in events.OrderBy(e => e.At).Chunk(2048)) store.Append([.. chunk.OrderBy(_ => rng.Next())]);
    }

    private static void AssertSame(Dictionary<(string Set, string Dim), (DistinctSketch Sketch, DateTime? FirstAt)> expected,
        Dictionary<string, Dictionary<string, SketchReader.Union>> actual, MetricRange range)
    {
        var flat = actual.SelectMany(s => s.Value.Select(d => (Key: (s.Key, d.Key), d.Value))).ToDictionary(x => x.Key, x => x.Value);
        Assert.Equal(expected.Keys.Order(), flat.Keys.Order());
        foreach (var (key, (sketch, firstAt)) in expected)
        {
            Assert.True(sketch.Encode().AsSpan().SequenceEqual(flat[key].Sketch.Encode()), $"{key} over {range.From:O}..{range.To:O}");
            Assert.Equal(firstAt, flat[key].FirstAt);
        }
    }

    /// <summary>The sketch of each set over the range, built straight from the events (and a journey step's first time).</summary>
    private static Dictionary<(string Set, string Dim), (DistinctSketch Sketch, DateTime? FirstAt)> Direct(List<InteractionEvent> events, MetricRange range)
    {
        var result = new Dictionary<(string, string), (DistinctSketch Sketch, DateTime? FirstAt)>();
        foreach (var e in events.Where(e => e.Tenant == range.Tenant && e.At >= range.From && e.At < range.To))
            foreach (var (set, dim) in SketchSets.Of(e.Kind.ToWire(), e.Channel.ToWire(), e.Flow, e.Journey, e.Step))
            {
                if (!result.TryGetValue((set, dim), out var entry)) entry = (new DistinctSketch(), null);
                entry.Sketch.Add(e.CustomerId);
                var at = e.At.UtcDateTime;
                if (set == SketchSets.JourneyStep && (entry.FirstAt is null || at < entry.FirstAt)) entry.FirstAt = at;
                result[(set, dim)] = entry;
            }
        return result;
    }

    private static List<InteractionEvent> Events(Random rng, int n, int customers)
    {
        InteractionKind[] kinds =
        [
            InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Handoff, InteractionKind.JourneyStep,
            InteractionKind.EscalationOffered, InteractionKind.FlowCompleted, InteractionKind.ChannelSwitch,
        ];
        var channels = Enum.GetValues<Channel>();
        var seconds = (int)(End - Start).TotalSeconds;
        string? Pick(params string?[] options) => options[rng.Next(options.Length)];
        var list = new List<InteractionEvent>(n);
        for (var i = 0; i < n; i++)
        {
            var kind = kinds[rng.Next(kinds.Length)];
            list.Add(new InteractionEvent($"month:{i}", kind, rng.Next(6) == 0 ? "autoservice" : "airline", $"c-{rng.Next(customers):x20}",
                channels[rng.Next(channels.Length)], Start.AddSeconds(rng.Next(seconds)),
                Intent: "rebook", Flow: Pick(null, "rebook", "refund"), Step: Pick(null, "offer", "reminder"), Outcome: Pick("call", "completed", "answered"),
                FromChannel: kind == InteractionKind.ChannelSwitch ? channels[rng.Next(channels.Length)] : null,
                Journey: kind == InteractionKind.JourneyStep ? Pick("win-back", "onboarding") : null,
                DurationMs: rng.Next(1, 600) * 1000.0, ZeroRepeat: kind == InteractionKind.ChannelSwitch ? rng.Next(2) == 0 : null));
        }
        return list;
    }
}

using System.Text.Json;
using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// The report and series read from the writer's summary tables equal the same figures recomputed from the raw events,
/// on a random event set stored in batches with redeliveries (counted once), and again after the summaries are rebuilt.
/// </summary>
public sealed class SummaryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Summary_backed_report_equals_raw_event_recomputation_on_random_events()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, EventStore.FileName);
        var events = Random(new Random(20261130), 6_000);
        using (var store = EventStore.Open(path))
        {
            var rng = new Random(7);
            var stored = 0;
            for (var i = 0; i < events.Count;)
            {
                var n = rng.Next(1, 700);
                var batch = events.Skip(i).Take(n).ToList();
                // Redeliveries: some events of earlier batches again, and a duplicate inside the batch.
                if (i > 0) batch.AddRange(events.Take(i).Where(_ => rng.Next(10) == 0).Take(50));
                batch.Add(batch[0]);
                stored += store.Append(batch);
                i += n;
            }
            Assert.Equal(events.Count, stored);
            Assert.Equal(events.Count, store.Count());
            AssertSame(store);
        }
        // A file whose summaries are missing or older is rebuilt from its events on open.
        using (var store = EventStore.Open(path))
        {
            using var db = store.OpenReader();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DELETE FROM summary_version; DELETE FROM hourly_counts; DELETE FROM customer_hours";
            cmd.ExecuteNonQuery();
        }
        using (var store = EventStore.Open(path)) AssertSame(store);
    }

    private static void AssertSame(EventStore store)
    {
        var queries = new MetricQueries(store, new CostModel());
        var checkedSomething = false;
        foreach (var tenant in new[] { "airline", "autoservice" })
            foreach (var (from, to) in new[] { (0, 72), (0, 24), (5, 30), (47, 48), (60, 200) })
                foreach (var bucket in new[] { Bucket.Day, Bucket.Hour })
                {
                    var range = new MetricRange(tenant, Start.AddHours(from), Start.AddHours(to), bucket);
                    Assert.True(MetricQueries.OnWholeHours(range));
                    var summary = queries.Report(range);
                    var raw = queries.RawReport(range);
                    Assert.Equal(Json(raw), Json(summary));
                    Assert.Equal(Json(queries.RawSeries(range)), Json(queries.Series(range)));
                    checkedSomething |= summary.Overview.Conversations > 0 && summary.Escalation.CallStarted > 0 && summary.Journeys.Count > 0;
                }
        Assert.True(checkedSomething, "the random set should give conversations, started calls and journeys");
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static readonly InteractionKind[] Often =
    [
        InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Turn, InteractionKind.Handoff, InteractionKind.EscalationOffered,
        InteractionKind.CallAnswered, InteractionKind.FlowCompleted, InteractionKind.ChannelSwitch, InteractionKind.JourneyStep, InteractionKind.JourneyGoal,
    ];

    private static List<InteractionEvent> Random(Random rng, int n)
    {
        var kinds = Enum.GetValues<InteractionKind>();
        var channels = Enum.GetValues<Channel>();
        string? Pick(params string?[] options) => options[rng.Next(options.Length)];
        var list = new List<InteractionEvent>(n);
        for (var i = 0; i < n; i++)
        {
            // Turns, handoffs and the funnel's kinds more often than the rest.
            var kind = rng.Next(3) == 0 ? kinds[rng.Next(kinds.Length)]
                : Often[rng.Next(Often.Length)];
            var channel = channels[rng.Next(channels.Length)];
            list.Add(new InteractionEvent($"random:{i}", kind, Pick("airline", "autoservice")!, $"c-{rng.Next(60):x20}", channel,
                Start.AddMinutes(rng.Next(72 * 60)).AddSeconds(rng.Next(60)),
                Intent: Pick(null, "rebook"), Flow: Pick(null, "rebook", "refund"), Step: Pick(null, "offer", "reminder", "date"),
                Outcome: Pick(null, "call", "web", "completed", "answered", "sent"),
                FromChannel: kind == InteractionKind.ChannelSwitch && rng.Next(5) > 0 ? channels[rng.Next(channels.Length)] : null,
                Journey: Pick(null, "win-back", "onboarding"), DurationMs: rng.Next(4) == 0 ? null : rng.Next(1, 600) * 1000.0,
                ZeroRepeat: rng.Next(3) switch { 0 => null, 1 => true, _ => false }));
        }
        return list;
    }
}

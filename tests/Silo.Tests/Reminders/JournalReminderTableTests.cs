using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Silo.Storage.Journal;
using Switchboard.Silo.Storage.Reminders;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Reminders;

/// <summary>The reminder table on a real write-ahead log in a temporary folder, reopened the way a restart would.</summary>
public sealed class JournalReminderTableTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private WriteAheadLogStore _journal = null!;
    private JournalReminderTable _table = null!;

    public async Task InitializeAsync() => await OpenAsync();

    public async Task DisposeAsync()
    {
        await _journal.DisposeAsync();
        _folder.Dispose();
    }

    private async Task OpenAsync()
    {
        _journal = new WriteAheadLogStore(Path.Combine(_folder.Path, "journal"), new WalOptions(), NullLogger.Instance);
        _table = new JournalReminderTable(_journal);
        await _table.StartAsync();
    }

    /// <summary>The restart: the log closed, opened again and replayed into a new table.</summary>
    private async Task ReopenAsync()
    {
        await _journal.DisposeAsync();
        await OpenAsync();
    }

    private static GrainId Grain(string key) => GrainId.Create("journeyenrolment", key);

    private static ReminderEntry Row(GrainId grain, string name = "journey-wake", int minutes = 5) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 30, 20, 0, 0, DateTimeKind.Utc).AddMinutes(minutes),
        Period = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task An_upserted_row_reads_back_with_the_etag_it_was_given()
    {
        var grain = Grain("j1/c-1");
        var etag = await _table.UpsertRow(Row(grain));

        var row = await _table.ReadRow(grain, "journey-wake");
        Assert.NotNull(row);
        Assert.Equal(etag, row.ETag);
        Assert.Equal(Row(grain).StartAt, row.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(1), row.Period);
        Assert.Single((await _table.ReadRows(grain)).Reminders);
        Assert.Null(await _table.ReadRow(grain, "another"));
        Assert.Empty((await _table.ReadRows(Grain("j1/c-2"))).Reminders);
    }

    [Fact]
    public async Task Upserting_again_replaces_the_row_and_retires_the_old_etag()
    {
        var grain = Grain("j1/c-1");
        var first = await _table.UpsertRow(Row(grain, minutes: 5));
        var second = await _table.UpsertRow(Row(grain, minutes: 50));

        Assert.NotEqual(first, second);
        Assert.Single((await _table.ReadRows(grain)).Reminders);
        Assert.Equal(Row(grain, minutes: 50).StartAt, (await _table.ReadRow(grain, "journey-wake"))!.StartAt);
        // The holder of the old ETag lost the race: its remove is refused and the row stays.
        Assert.False(await _table.RemoveRow(grain, "journey-wake", first!));
        Assert.NotNull(await _table.ReadRow(grain, "journey-wake"));
        Assert.True(await _table.RemoveRow(grain, "journey-wake", second!));
        Assert.Null(await _table.ReadRow(grain, "journey-wake"));
        Assert.False(await _table.RemoveRow(grain, "journey-wake", second!));
    }

    [Fact]
    public async Task A_refused_remove_changes_nothing_on_disk_either()
    {
        var grain = Grain("j1/c-1");
        var etag = await _table.UpsertRow(Row(grain));
        Assert.False(await _table.RemoveRow(grain, "journey-wake", "not-the-etag"));

        await ReopenAsync();

        Assert.Equal(etag, (await _table.ReadRow(grain, "journey-wake"))!.ETag);
    }

    [Fact]
    public async Task Rows_and_removals_survive_a_restart_past_several_snapshots()
    {
        // 300 grains over 256 shards and several rounds of updates: most shards snapshot at least once.
        var grains = Enumerable.Range(0, 300).Select(i => Grain($"j1/c-{i}")).ToList();
        var etags = new Dictionary<GrainId, string>();
        for (var round = 0; round < 4; round++)
            foreach (var (g, i) in grains.Select((g, i) => (g, i)))
                etags[g] = (await _table.UpsertRow(Row(g, minutes: i + round)))!;
        foreach (var g in grains.Take(100)) Assert.True(await _table.RemoveRow(g, "journey-wake", etags[g]));
        await _table.UpsertRow(Row(grains[0], "second-reminder"));

        // One grain with 50 reminders updated 4 times: 200 changes in one shard, which snapshots every 50.
        var busy = Grain("j1/busy");
        var busyEtags = new Dictionary<string, string>();
        for (var round = 0; round < 4; round++)
            for (var n = 0; n < 50; n++)
                busyEtags[$"r{n}"] = (await _table.UpsertRow(Row(busy, $"r{n}", minutes: n + round)))!;
        var busyStream = await _journal.ReadAsync($"reminders/{busy.GetUniformHashCode() >> 24:x2}");
        Assert.NotNull(busyStream.Snapshot);
        Assert.True(busyStream.Events.Count < 50, $"{busyStream.Events.Count} changes after the last snapshot");

        await ReopenAsync();

        var all = (await _table.ReadRows(0u, 0u)).Reminders;
        Assert.Equal(251, all.Count);
        for (var n = 0; n < 50; n++)
        {
            var row = await _table.ReadRow(busy, $"r{n}");
            Assert.Equal(busyEtags[$"r{n}"], row!.ETag);
            Assert.Equal(Row(busy, minutes: n + 3).StartAt, row.StartAt);
        }
        foreach (var (g, i) in grains.Select((g, i) => (g, i)).Skip(100))
        {
            var row = await _table.ReadRow(g, "journey-wake");
            Assert.NotNull(row);
            Assert.Equal(etags[g], row.ETag);
            Assert.Equal(Row(g, minutes: i + 3).StartAt, row.StartAt);
        }
        Assert.Null(await _table.ReadRow(grains[0], "journey-wake"));
        Assert.NotNull(await _table.ReadRow(grains[0], "second-reminder"));
        // The restored ETags are live: a remove with them still works after the restart.
        Assert.True(await _table.RemoveRow(grains[150], "journey-wake", etags[grains[150]]));
    }

    [Fact]
    public async Task Concurrent_upserts_of_many_grains_are_all_durable()
    {
        var grains = Enumerable.Range(0, 500).Select(i => Grain($"j2/c-{i}")).ToList();
        var flushesBefore = _journal.Flushes;
        await Task.WhenAll(grains.Select(g => _table.UpsertRow(Row(g))));
        var flushes = _journal.Flushes - flushesBefore;
        // Registrations in flight together share the log's fsyncs instead of paying one each.
        Assert.True(flushes < grains.Count / 2, $"{flushes} flushes for {grains.Count} registrations");

        await ReopenAsync();

        Assert.Equal(500, (await _table.ReadRows(0u, 0u)).Reminders.Count);
    }

    [Fact]
    public async Task A_range_read_returns_the_rows_in_begin_exclusive_end_inclusive_and_wraps_past_zero()
    {
        var grains = Enumerable.Range(0, 40).Select(i => Grain($"j3/c-{i}")).ToList();
        foreach (var g in grains) await _table.UpsertRow(Row(g));
        var hashes = grains.Select(g => g.GetUniformHashCode()).OrderBy(h => h).ToList();
        var low = hashes[10];
        var high = hashes[30];

        async Task<List<uint>> Read(uint begin, uint end) =>
            [.. (await _table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.GetUniformHashCode()).OrderBy(h => h)];

        // (low, high]: the 20 hashes after low, high included, low excluded.
        Assert.Equal(hashes.Skip(11).Take(20), await Read(low, high));
        // (high, low] wraps past uint.MaxValue: everything above high and everything up to low.
        Assert.Equal(hashes.Take(11).Concat(hashes.Skip(31)), await Read(high, low));
        // begin == end is the whole ring.
        Assert.Equal(hashes, await Read(low, low));
        Assert.Equal(40, (await Read(0u, 0u)).Count);
        Assert.Equal(hashes.Where(h => h > 0u), await Read(0u, uint.MaxValue));
    }

    [Theory]
    [InlineData(10u, 20u, 10u, false)]
    [InlineData(10u, 20u, 20u, true)]
    [InlineData(10u, 20u, 15u, true)]
    [InlineData(20u, 10u, 15u, false)]
    [InlineData(20u, 10u, 5u, true)]
    [InlineData(20u, 10u, uint.MaxValue, true)]
    [InlineData(20u, 10u, 20u, false)]
    [InlineData(7u, 7u, 123u, true)]
    public void The_ring_range_is_begin_exclusive_end_inclusive(uint begin, uint end, uint hash, bool inside) =>
        Assert.Equal(inside, RingRange.Contains(begin, end, hash));

    [Fact]
    public async Task Clearing_the_table_empties_it_for_good()
    {
        foreach (var i in Enumerable.Range(0, 20)) await _table.UpsertRow(Row(Grain($"j4/c-{i}")));
        await _table.TestOnlyClearTable();
        Assert.Empty((await _table.ReadRows(0u, 0u)).Reminders);

        await ReopenAsync();

        Assert.Empty((await _table.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task A_row_read_back_is_a_copy_the_caller_cannot_change_in_the_table()
    {
        var grain = Grain("j5/c-1");
        await _table.UpsertRow(Row(grain));
        var row = (await _table.ReadRow(grain, "journey-wake"))!;
        var etag = row.ETag;
        row.ETag = "tampered";
        row.Period = TimeSpan.FromDays(1);

        var again = (await _table.ReadRow(grain, "journey-wake"))!;
        Assert.Equal(etag, again.ETag);
        Assert.Equal(TimeSpan.FromMinutes(1), again.Period);
    }
}

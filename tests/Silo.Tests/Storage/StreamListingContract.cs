using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage.Journal;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Storage;

/// <summary>
/// Listing the customer streams (what a rewrap of every vault walks), on each real store: the embedded log and
/// redis-server. Each store is reopened between pages, so a cursor is shown to survive a restart of its caller.
/// </summary>
public abstract class StreamListingContract : IAsyncLifetime
{
    protected IJournalStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Closes the store and opens it again on the same data (the log recovers, Redis reconnects).</summary>
    protected abstract Task ReopenAsync();

    protected static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task Write(IJournalStore store, string stream, int records)
    {
        for (var i = 0; i < records; i++)
            await store.AppendAsync(stream, i, i == 2 ? JournalRecordKind.Snapshot : JournalRecordKind.Event, Bytes($"r{i}"));
    }

    private async Task<List<string>> ListAll(string prefix, int limit, bool reopenBetweenPages = false)
    {
        var all = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.ListStreamsAsync(prefix, cursor, limit);
            all.AddRange(page.Streams);
            cursor = page.Cursor;
            Assert.True(++pages < 1000, "the listing never ends");
            if (reopenBetweenPages && cursor is not null) await ReopenAsync();
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Every_customer_stream_is_listed_across_pages_and_restarts_and_no_other_stream_is()
    {
        var customers = Enumerable.Range(0, 150).Select(i => $"customer/t{i % 3}/c-{i:D4}").ToList();
        await Task.WhenAll(customers.Select((c, i) => Write(Store, c, 1 + i % 4)));
        await Write(Store, "identity/t0/whatsapp/pseudonym-1", 2);
        await Write(Store, "outbox/t0/3", 2);
        await Write(Store, "keys/t0/c-0000", 1);

        var listed = await ListAll(JournalListing.CustomerPrefix, limit: 7, reopenBetweenPages: true);

        // Redis's SCAN may return a key twice; the set must be exactly the customers.
        Assert.Equal(customers.Order(StringComparer.Ordinal), listed.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(customers.Where(c => c.StartsWith("customer/t1/")).Order(StringComparer.Ordinal),
            (await ListAll("customer/t1/", limit: 10)).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_deleted_customer_is_not_listed_and_is_listed_again_once_written_again()
    {
        await Write(Store, "customer/t/kept", 3);
        await Write(Store, "customer/t/erased", 3);
        await Store.DeleteAsync("customer/t/erased");
        Assert.Equal(["customer/t/kept"], (await ListAll(JournalListing.CustomerPrefix, 100)).Distinct());

        await ReopenAsync();
        Assert.Equal(["customer/t/kept"], (await ListAll(JournalListing.CustomerPrefix, 100)).Distinct());

        var version = (await Store.ReadAsync("customer/t/erased")).Version;
        await Store.AppendAsync("customer/t/erased", version, JournalRecordKind.Event, Bytes("again"));
        await ReopenAsync();
        Assert.Equal(["customer/t/erased", "customer/t/kept"], (await ListAll(JournalListing.CustomerPrefix, 100)).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_stream_with_many_snapshots_keeps_its_name_and_its_records_read_back()
    {
        for (var i = 0; i < 40; i++)
            await Store.AppendAsync("customer/t/busy", i, i % 5 == 4 ? JournalRecordKind.Snapshot : JournalRecordKind.Event, Bytes($"r{i}"));
        await ReopenAsync();
        Assert.Equal(["customer/t/busy"], (await ListAll(JournalListing.CustomerPrefix, 10)).Distinct());
        var read = await Store.ReadAsync("customer/t/busy");
        Assert.Equal("r39", Encoding.UTF8.GetString(read.Snapshot!.Value.Span));
        Assert.Empty(read.Events);
        Assert.Equal(40, read.Version);
    }

    [Fact]
    public async Task A_prefix_outside_the_listed_streams_and_a_bad_limit_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ListStreamsAsync("identity/", null, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 0));
    }

    [Fact]
    public async Task Pending_work_is_still_found_beside_the_names()
    {
        await Store.AppendAsync("customer/t/waiting", 0, JournalRecordKind.Event, Bytes("reply pending"), pending: true);
        await Store.AppendAsync("customer/t/done", 0, JournalRecordKind.Event, Bytes("a"), pending: true);
        await Store.AppendAsync("customer/t/done", 1, JournalRecordKind.Event, Bytes("b"));
        await ReopenAsync();
        Assert.Equal(["customer/t/waiting"], await Store.PendingStreamsAsync());
        Assert.Equal(["customer/t/done", "customer/t/waiting"], (await ListAll(JournalListing.CustomerPrefix, 10)).Distinct().Order(StringComparer.Ordinal));
    }
}

public sealed class WriteAheadLogListingTests : StreamListingContract
{
    private readonly TempDirectory _folder = new();
    private WriteAheadLogStore _store = null!;

    private WriteAheadLogStore Open() => new(_folder.Path, new WalOptions(), NullLogger.Instance);

    public override Task InitializeAsync()
    {
        Store = _store = Open();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    protected override async Task ReopenAsync()
    {
        await _store.DisposeAsync();
        Store = _store = Open();
    }

    [Fact]
    public async Task Only_listed_streams_leave_their_names_on_disk()
    {
        for (var i = 0; i < 5; i++) await _store.AppendAsync("identity/t/whatsapp/secret-pseudonym", i, JournalRecordKind.Event, Bytes("x"));
        for (var i = 0; i < 5; i++) await _store.AppendAsync("customer/t/c-listed", i, JournalRecordKind.Event, Bytes("y"));
        await ReopenAsync();
        var disk = string.Concat(Directory.GetFiles(Path.Combine(_folder.Path), "*.wal").Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain("secret-pseudonym", disk);
        // Named once (the first record), not in every record: a turn's append carries no name.
        Assert.Equal(1, CountOf(disk, "customer/t/c-listed"));
    }

    [Fact]
    public async Task Streams_written_before_names_were_kept_are_listed_once_written_again()
    {
        // What an older engine left: a customer record without its name (the key alone).
        var stream = "customer/t/from-before";
        var record = new byte[WalRecord.SizeOf(3, null)];
        WalRecord.Write(record, JournalRecordKind.Snapshot, WalRecord.KeyOf(stream), 1, Bytes("old").Span);
        await _store.DisposeAsync();
        foreach (var segment in Directory.GetFiles(_folder.Path, "*.wal")) File.Delete(segment);
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, "00000001.wal"), record);
        Store = _store = Open();
        Assert.Empty((await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams);

        await _store.AppendAsync(stream, 1, JournalRecordKind.Event, Bytes("new"));
        await ReopenAsync();
        Assert.Equal([stream], (await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams);
        Assert.Equal("old", Encoding.UTF8.GetString((await _store.ReadAsync(stream)).Snapshot!.Value.Span));
    }

    [Fact]
    public async Task Names_survive_compaction()
    {
        await _store.DisposeAsync();
        var options = new WalOptions { SegmentBytes = 64 * 1024, MaxGarbageRatio = 1.5, Fsync = false };
        _store = new WriteAheadLogStore(_folder.Path, options, NullLogger.Instance);
        Store = _store;
        var payload = new byte[900];
        // Named first records, then many events of another stream, so the oldest segments hold mostly garbage.
        for (var c = 0; c < 20; c++) await _store.AppendAsync($"customer/t/c{c:D2}", 0, JournalRecordKind.Event, payload);
        for (var i = 0; i < 2000; i++) await _store.AppendAsync("outbox/t/0", i, i % 10 == 9 ? JournalRecordKind.Snapshot : JournalRecordKind.Event, payload);
        Assert.True(_store.TotalBytes < 500_000, $"compaction ran ({_store.TotalBytes} bytes on disk for 2,020 records of 900 bytes)");
        await _store.DisposeAsync();
        Store = _store = new WriteAheadLogStore(_folder.Path, options, NullLogger.Instance);
        var page = await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 100);
        Assert.Equal(Enumerable.Range(0, 20).Select(c => $"customer/t/c{c:D2}"), page.Streams);
    }

    [Fact]
    public async Task A_customer_written_before_a_restart_and_deleted_after_it_is_no_longer_listed()
    {
        // After recovery the log knows the name from the disk only: the delete's own name must take it off the listing.
        await _store.AppendAsync("customer/t/erased-later", 0, JournalRecordKind.Event, Bytes("a"));
        await _store.AppendAsync("customer/t/kept", 0, JournalRecordKind.Event, Bytes("b"));
        await ReopenAsync();
        await _store.DeleteAsync("customer/t/erased-later");
        Assert.Equal(["customer/t/kept"], (await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams);
        await ReopenAsync();
        Assert.Equal(["customer/t/kept"], (await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams);
    }

    [Fact]
    public async Task A_listed_name_is_held_once_whatever_instance_each_append_brings()
    {
        // A customer grain builds its stream name again after each idle spell: the log keeps the first instance only.
        var first = string.Concat("customer/t/", "c-shared");
        await _store.AppendAsync(first, 0, JournalRecordKind.Event, Bytes("a"));
        for (var i = 1; i < 5; i++)
        {
            var again = string.Concat("customer/t/", "c-shared");
            Assert.False(ReferenceEquals(first, again));
            await _store.AppendAsync(again, i, i == 3 ? JournalRecordKind.Snapshot : JournalRecordKind.Event, Bytes($"r{i}"));
        }
        var listed = Assert.Single((await _store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams);
        Assert.Same(first, listed);
    }

    [Fact]
    public async Task A_stream_of_many_events_reads_back_in_order_before_and_after_a_restart()
    {
        // The index keeps the first record inline and the rest in an array that grows by doubling (2, 4, 8 ...).
        var expected = Enumerable.Range(0, 70).Select(i => $"e{i}").ToList();
        for (var i = 0; i < expected.Count; i++) await _store.AppendAsync("customer/t/long", i, JournalRecordKind.Event, Bytes(expected[i]));
        Assert.Equal(expected, (await _store.ReadAsync("customer/t/long")).Events.Select(e => Encoding.UTF8.GetString(e.Span)));
        await ReopenAsync();
        var read = await _store.ReadAsync("customer/t/long");
        Assert.Equal(expected, read.Events.Select(e => Encoding.UTF8.GetString(e.Span)));
        Assert.Equal(70, read.Version);
        await _store.AppendAsync("customer/t/long", 70, JournalRecordKind.Snapshot, Bytes("snap"));
        read = await _store.ReadAsync("customer/t/long");
        Assert.Equal("snap", Encoding.UTF8.GetString(read.Snapshot!.Value.Span));
        Assert.Empty(read.Events);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}

public sealed class RedisListingTests : StreamListingContract
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public override async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        await ConnectAsync();
    }

    private async Task ConnectAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        // Small SCAN steps: the listing takes many real cursors, not one step over the whole keyspace.
        Store = new RedisJournalStore(_connection, "listing-test", scanStep: 16);
    }

    public override async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    protected override async Task ReopenAsync()
    {
        await _connection.DisposeAsync();
        await ConnectAsync();
    }

    [Fact]
    public async Task Another_services_streams_are_not_listed()
    {
        var other = new RedisJournalStore(_connection, "other-service");
        await other.AppendAsync("customer/t/theirs", 0, JournalRecordKind.Event, Bytes("x"));
        await Store.AppendAsync("customer/t/ours", 0, JournalRecordKind.Event, Bytes("x"));
        Assert.Equal(["customer/t/ours"], (await Store.ListStreamsAsync(JournalListing.CustomerPrefix, null, 10)).Streams.Distinct());
    }
}

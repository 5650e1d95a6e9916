using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage.Journal;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Journaling;

public sealed class WriteAheadLogTests : JournalStoreContract, IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private WriteAheadLogStore _store = null!;

    protected override IJournalStore Store => _store;

    public Task InitializeAsync()
    {
        _store = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private WriteAheadLogStore Open(WalOptions? options = null) => new(_folder.Path, options ?? new WalOptions(), NullLogger.Instance);

    private async Task Reopen(WalOptions? options = null)
    {
        await _store.DisposeAsync();
        _store = Open(options);
    }

    [Fact]
    public async Task What_was_acknowledged_is_read_back_after_reopening()
    {
        var s = Stream();
        await _store.AppendAsync(s, 0, JournalRecordKind.Snapshot, Bytes("snap"));
        await _store.AppendAsync(s, 1, JournalRecordKind.Event, Bytes("e2"));
        var deleted = Stream();
        await _store.AppendAsync(deleted, 0, JournalRecordKind.Event, Bytes("gone"));
        await _store.DeleteAsync(deleted);

        await Reopen();

        var read = await _store.ReadAsync(s);
        Assert.Equal("snap", Text(read.Snapshot!.Value));
        Assert.Equal(["e2"], read.Events.Select(Text));
        Assert.Equal(2, read.Version);
        Assert.Empty((await _store.ReadAsync(deleted)).Events);
        await _store.AppendAsync(s, 2, JournalRecordKind.Event, Bytes("e3"));
    }

    [Fact]
    public async Task A_deleted_stream_leaves_none_of_its_bytes_on_disk()
    {
        var s = Stream();
        var secret = Bytes("key-material-7f3a9c0e5d2b4a61");
        await _store.AppendAsync(s, 0, JournalRecordKind.Snapshot, secret);
        await _store.AppendAsync(s, 1, JournalRecordKind.Event, secret);
        Assert.True(DiskContains(secret.Span));

        await _store.DeleteAsync(s);

        Assert.False(DiskContains(secret.Span));
        await Reopen();
        Assert.Empty((await _store.ReadAsync(s)).Events);
    }

    private bool DiskContains(ReadOnlySpan<byte> needle)
    {
        foreach (var f in Directory.GetFiles(_folder.Path, "*.wal"))
        {
            using var file = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            if (bytes.AsSpan().IndexOf(needle) >= 0) return true;
        }
        return false;
    }

    [Fact]
    public async Task A_torn_tail_is_dropped_and_everything_before_it_recovers()
    {
        var s = Stream();
        for (var i = 0; i < 10; i++) await _store.AppendAsync(s, i, JournalRecordKind.Event, Bytes($"e{i}"));
        await _store.DisposeAsync();
        var segment = Directory.GetFiles(_folder.Path, "*.wal").Single(f => new FileInfo(f).Length > 0);
        // A crash in the middle of a write: half of a record made it to disk.
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write)) file.SetLength(file.Length - 3);

        _store = Open();

        Assert.Equal(1, _store.Recovery.TruncatedBytes > 0 ? 1 : 0);
        var read = await _store.ReadAsync(s);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"e{i}"), read.Events.Select(Text));
        Assert.Equal(9, read.Version);
        await _store.AppendAsync(s, 9, JournalRecordKind.Event, Bytes("after the crash"));
        await Reopen();
        Assert.Equal("after the crash", Text((await _store.ReadAsync(s)).Events[^1]));
    }

    [Fact]
    public async Task Concurrent_appends_of_many_streams_share_flushes()
    {
        var streams = Enumerable.Range(0, 200).Select(_ => Stream()).ToList();
        var before = _store.Flushes;
        await Task.WhenAll(streams.Select(s => _store.AppendAsync(s, 0, JournalRecordKind.Event, Bytes("turn"))));
        var flushes = _store.Flushes - before;
        Assert.InRange(flushes, 1, 199);
        foreach (var s in streams) Assert.Single((await _store.ReadAsync(s)).Events);
    }

    /// <summary>
    /// 1,000,000 turns over 10,000 customers, each customer snapshotting every 32 turns like the customer grain: the
    /// log compacts as it goes and ends within its garbage bound of the live data, and every stream reads back whole.
    /// </summary>
    [Fact]
    public async Task Compaction_keeps_disk_use_bounded_over_a_million_turns()
    {
        var options = new WalOptions { SegmentBytes = 8 * 1024 * 1024, MaxGarbageRatio = 2.0, Fsync = false };
        await Reopen(options);
        const int customers = 10_000, turns = 100, snapshotEvery = 32;
        var payload = new byte[120];
        var snapshot = new byte[1500];
        var names = Enumerable.Range(0, customers).Select(i => $"customer/bench/c-{i}").ToArray();
        long peak = 0, peakLive = 0;
        for (var t = 0; t < turns; t++)
        {
            var round = new Task[customers];
            for (var c = 0; c < customers; c++)
                round[c] = _store.AppendAsync(names[c], t, (t + 1) % snapshotEvery == 0 ? JournalRecordKind.Snapshot : JournalRecordKind.Event,
                    (t + 1) % snapshotEvery == 0 ? snapshot : payload);
            await Task.WhenAll(round);
            peak = Math.Max(peak, DiskBytes());
            peakLive = Math.Max(peakLive, _store.LiveBytes);
        }

        // Live data swings between snapshots (up to 31 events a customer); disk follows it within the garbage bound.
        Assert.InRange(peak, peakLive, (long)(options.MaxGarbageRatio * peakLive + 3 * options.SegmentBytes));
        var live = _store.LiveBytes;
        Assert.InRange(DiskBytes(), live, (long)(options.MaxGarbageRatio * live + 3 * options.SegmentBytes));
        // Without compaction the log would hold every record ever written.
        var written = (long)customers * turns * (payload.Length + WalRecord.HeaderSize);
        Assert.True(DiskBytes() < written / 2, $"disk {DiskBytes()} bytes vs {written} written");

        await Reopen(options);
        for (var c = 0; c < customers; c += 997)
        {
            var read = await _store.ReadAsync(names[c]);
            Assert.Equal(turns, read.Version);
            Assert.Equal(snapshot.Length, read.Snapshot!.Value.Length);
            Assert.Equal(turns % snapshotEvery, read.Events.Count);
        }
    }

    // Compaction may delete a segment between the listing and the measurement: a segment gone holds no bytes.
    private long DiskBytes() => Directory.GetFiles(_folder.Path, "*.wal").Sum(SizeOrZero);

    private static long SizeOrZero(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (FileNotFoundException) { return 0; }
    }
}

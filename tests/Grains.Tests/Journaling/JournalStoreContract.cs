using System.Text;
using Switchboard.Grains.Journaling;

namespace Switchboard.Grains.Tests.Journaling;

/// <summary>What every journal store must do, run against each real store (the embedded log and redis-server).</summary>
public abstract class JournalStoreContract
{
    protected abstract IJournalStore Store { get; }

    protected static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    protected static string Stream() => "test/" + Guid.NewGuid().ToString("n");

    [Fact]
    public async Task Events_come_back_in_order_after_the_latest_snapshot()
    {
        var s = Stream();
        await Store.AppendAsync(s, 0, JournalRecordKind.Event, Bytes("e1"));
        await Store.AppendAsync(s, 1, JournalRecordKind.Snapshot, Bytes("snap"));
        await Store.AppendAsync(s, 2, JournalRecordKind.Event, Bytes("e3"));
        await Store.AppendAsync(s, 3, JournalRecordKind.Event, Bytes("e4"));

        var read = await Store.ReadAsync(s);
        Assert.Equal("snap", Text(read.Snapshot!.Value));
        Assert.Equal(["e3", "e4"], read.Events.Select(Text));
        Assert.Equal(4, read.Version);
    }

    [Fact]
    public async Task Appends_queued_without_awaiting_keep_their_order()
    {
        var s = Stream();
        var writes = Enumerable.Range(0, 50).Select(i => Store.AppendAsync(s, i, JournalRecordKind.Event, Bytes($"e{i}"))).ToList();
        await Task.WhenAll(writes);
        var read = await Store.ReadAsync(s);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), read.Events.Select(Text));
    }

    [Fact]
    public async Task A_second_writer_at_a_stale_version_is_refused_and_changes_nothing()
    {
        var s = Stream();
        await Store.AppendAsync(s, 0, JournalRecordKind.Event, Bytes("first"));
        await Assert.ThrowsAsync<JournalConflictException>(() => Store.AppendAsync(s, 0, JournalRecordKind.Event, Bytes("stale")));
        var read = await Store.ReadAsync(s);
        Assert.Equal(["first"], read.Events.Select(Text));
        Assert.Equal(1, read.Version);
    }

    [Fact]
    public async Task A_deleted_stream_reads_empty_and_can_start_again()
    {
        var s = Stream();
        await Store.AppendAsync(s, 0, JournalRecordKind.Snapshot, Bytes("secret state"));
        await Store.DeleteAsync(s);
        var read = await Store.ReadAsync(s);
        Assert.Null(read.Snapshot);
        Assert.Empty(read.Events);

        await Store.AppendAsync(s, read.Version, JournalRecordKind.Event, Bytes("new life"));
        Assert.Equal(["new life"], (await Store.ReadAsync(s)).Events.Select(Text));
    }

    [Fact]
    public async Task An_unknown_stream_is_empty_at_version_zero()
    {
        var read = await Store.ReadAsync(Stream());
        Assert.Equal(0, read.Version);
        Assert.Null(read.Snapshot);
        Assert.Empty(read.Events);
    }
}

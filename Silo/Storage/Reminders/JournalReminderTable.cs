using System.Security.Cryptography;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Reminders;

/// <summary>
/// Orleans reminders kept durable on the embedded store: the table lives in memory (one silo owns the data folder)
/// and every change is appended to the journal before it is acknowledged, in <see cref="ShardCount"/> streams
/// (<c>reminders/00</c> … <c>reminders/ff</c>, by the grain's ring hash) so concurrent registrations share group
/// commits. A shard writes a snapshot once its events outnumber its rows, so replay stays proportional to the table.
/// Start reads every shard back, so a reminder registered before a crash fires after the restart.
/// </summary>
public sealed class JournalReminderTable(IJournalStore journal) : IReminderTable
{
    public const int ShardCount = 256;
    private const int MinEventsBeforeSnapshot = 32;

    private readonly ReminderShard[] _shards = [.. Enumerable.Range(0, ShardCount).Select(i => new ReminderShard($"reminders/{i:x2}"))];
    private Task? _start;
    private readonly Lock _startLock = new();

    public Task Init() => StartAsync();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_startLock) return _start ??= LoadAsync();
    }

    private async Task LoadAsync()
    {
        foreach (var shard in _shards)
        {
            var contents = await journal.ReadAsync(shard.Stream);
            lock (shard.Gate) shard.Replay(contents);
        }
    }

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await StartAsync();
        var shard = ShardOf(grainId);
        lock (shard.Gate) return new ReminderTableData(shard.RowsOf(grainId).Select(Copy).ToList());
    }

    /// <summary>The rows whose grain hash is in the ring range (begin, end]; begin == end is the whole ring, begin &gt; end wraps past zero.</summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        await StartAsync();
        var rows = new List<ReminderEntry>();
        foreach (var shard in _shards)
            lock (shard.Gate)
                rows.AddRange(shard.AllRows().Where(r => RingRange.Contains(begin, end, r.GrainId.GetUniformHashCode())).Select(Copy));
        return new ReminderTableData(rows);
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await StartAsync();
        var shard = ShardOf(grainId);
        // Orleans's own tables answer null for a reminder that does not exist.
        lock (shard.Gate) return shard.Find(grainId, reminderName) is { } row ? Copy(row) : null;
    }

    /// <summary>Inserts or replaces the row (registering again overwrites, as in every Orleans table) and returns its new ETag once durable.</summary>
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.ReminderName);
        await StartAsync();
        var row = Copy(entry);
        row.ETag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var shard = ShardOf(row.GrainId);
        Task durable;
        lock (shard.Gate)
        {
            shard.Put(row);
            durable = AppendLocked(shard, ReminderRecord.Upsert(row));
        }
        await Durable(shard, durable);
        entry.ETag = row.ETag;
        return row.ETag;
    }

    /// <summary>Removes the row only when <paramref name="eTag"/> is its current ETag; false (and nothing changed) otherwise.</summary>
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        await StartAsync();
        var shard = ShardOf(grainId);
        Task durable;
        lock (shard.Gate)
        {
            if (shard.Find(grainId, reminderName) is not { } row || row.ETag != eTag) return false;
            shard.Remove(grainId, reminderName);
            durable = AppendLocked(shard, ReminderRecord.Remove(grainId, reminderName));
        }
        await Durable(shard, durable);
        return true;
    }

    public async Task TestOnlyClearTable()
    {
        await StartAsync();
        var writes = new List<Task>();
        foreach (var shard in _shards)
            lock (shard.Gate)
            {
                if (shard.Count == 0 && shard.EventsSinceSnapshot == 0) continue;
                shard.Clear();
                writes.Add(AppendLocked(shard, ReminderRecord.Snapshot([])));
            }
        await Task.WhenAll(writes);
    }

    /// <summary>Queues the record under the shard's lock, so the log holds the shard's changes in the order memory saw them.</summary>
    private Task AppendLocked(ReminderShard shard, byte[] change)
    {
        var version = shard.Version++;
        if (shard.EventsSinceSnapshot + 1 >= Math.Max(MinEventsBeforeSnapshot, shard.Count))
        {
            shard.EventsSinceSnapshot = 0;
            return journal.AppendAsync(shard.Stream, version, JournalRecordKind.Snapshot, ReminderRecord.Snapshot(shard.AllRows()));
        }
        shard.EventsSinceSnapshot++;
        return journal.AppendAsync(shard.Stream, version, JournalRecordKind.Event, change);
    }

    /// <summary>A write that failed leaves memory ahead of the disk: the shard is read back from the journal before the error surfaces.</summary>
    private async Task Durable(ReminderShard shard, Task append)
    {
        try
        {
            await append;
        }
        catch
        {
            var contents = await journal.ReadAsync(shard.Stream);
            lock (shard.Gate) shard.Replay(contents);
            throw;
        }
    }

    private ReminderShard ShardOf(GrainId grainId) => _shards[grainId.GetUniformHashCode() >> 24];

    private static ReminderEntry Copy(ReminderEntry e) => new()
    {
        GrainId = e.GrainId,
        ReminderName = e.ReminderName,
        StartAt = e.StartAt,
        Period = e.Period,
        ETag = e.ETag,
    };
}

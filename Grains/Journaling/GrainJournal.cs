using Orleans.Serialization;

namespace Switchboard.Grains.Journaling;

/// <summary>
/// A grain's state kept as a journal: the grain changes <see cref="State"/> in memory, then appends the change it made
/// (<see cref="AppendAsync"/>) or, for rare calls, the whole state (<see cref="SnapshotAsync"/>). Every
/// <c>snapshotEvery</c> changes a snapshot is written instead, so loading replays at most that many records.
/// A failed append leaves memory ahead of the store: the grain must deactivate (see <see cref="Broken"/>).
/// </summary>
/// <param name="pendingOf">Whether the state leaves work to resume after a restart (replies not yet handed off): marks each record for <see cref="IJournalStore.PendingStreamsAsync"/>.</param>
public sealed class GrainJournal<TState, TChange>(IJournalStore store, Serializer serializer, string stream, Action<TState, TChange> apply, int snapshotEvery,
    Func<TState, bool>? pendingOf = null)
    where TState : class, new()
{
    private int _sinceSnapshot;

    public TState State { get; private set; } = new();

    /// <summary>Sequence number of the last record this activation knows; 0 for a stream never written.</summary>
    public long Version { get; private set; }

    /// <summary>Set when an append failed: memory is ahead of the store and the activation must not go on.</summary>
    public bool Broken { get; private set; }

    /// <summary>The task of the latest append: awaiting it waits for every earlier append too (the store keeps their order).</summary>
    public Task LastWrite { get; private set; } = Task.CompletedTask;

    public async Task LoadAsync()
    {
        var contents = await store.ReadAsync(stream);
        State = contents.Snapshot is { } snapshot
            ? serializer.Deserialize<TState>(snapshot) ?? throw new InvalidDataException($"Journal stream '{stream}' has an empty snapshot.")
            : new TState();
        foreach (var record in contents.Events)
            apply(State, serializer.Deserialize<TChange>(record) ?? throw new InvalidDataException($"Journal stream '{stream}' has an empty record."));
        Version = contents.Version;
        _sinceSnapshot = contents.Events.Count;
    }

    /// <summary>Records a change already applied to <see cref="State"/>; serialised now, durable when the task completes.</summary>
    public Task AppendAsync(TChange change)
    {
        if (++_sinceSnapshot >= snapshotEvery) return SnapshotAsync();
        return Write(JournalRecordKind.Event, serializer.SerializeToArray(change));
    }

    /// <summary>Writes the whole state; the records before it are no longer needed.</summary>
    public Task SnapshotAsync()
    {
        _sinceSnapshot = 0;
        return Write(JournalRecordKind.Snapshot, serializer.SerializeToArray(State));
    }

    public async Task DeleteAsync()
    {
        try { await LastWrite; } catch (Exception) { /* the delete supersedes a failed write */ }
        await store.DeleteAsync(stream);
        State = new TState();
        var contents = await store.ReadAsync(stream);
        Version = contents.Version;
        _sinceSnapshot = 0;
    }

    private Task Write(JournalRecordKind kind, byte[] payload)
    {
        if (Broken) throw new InvalidOperationException($"Journal stream '{stream}' had a failed write; the activation must reload.");
        var expected = Version++;
        var task = Guard(store.AppendAsync(stream, expected, kind, payload, pendingOf?.Invoke(State) ?? false));
        LastWrite = task;
        return task;
    }

    private async Task Guard(Task append)
    {
        try
        {
            await append;
        }
        catch
        {
            Broken = true;
            throw;
        }
    }
}

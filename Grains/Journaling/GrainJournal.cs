using Orleans.Serialization;

namespace Switchboard.Grains.Journaling;

/// <summary>
/// A grain's state kept as a journal: the grain changes <see cref="State"/> in memory, then appends the change it made
/// (<see cref="AppendAsync"/>) or, for rare calls, the whole state (<see cref="SnapshotAsync"/>). Every
/// <c>snapshotEvery</c> changes a snapshot is written instead, so loading replays at most that many records.
/// A failed append leaves memory ahead of the store: the grain must deactivate (see <see cref="Broken"/>).
/// </summary>
/// <param name="stream">The stream's name; a <see cref="JournalStreamName"/> of parts the grain keeps anyway costs no string per activation.</param>
/// <param name="pendingOf">Whether the state leaves work to resume after a restart (replies not yet handed off): marks each record for <see cref="IJournalStore.PendingStreamsAsync"/>.</param>
/// <param name="complete">
/// Whether the state in memory is whole, so a snapshot of it loses nothing; false while the grain holds a part only in
/// the journal (see <see cref="ReadDurableAsync"/>). A snapshot of an incomplete state fails instead of being written.
/// </param>
public sealed class GrainJournal<TState, TChange>(IJournalStore store, Serializer serializer, JournalStreamName stream, Action<TState, TChange> apply, int snapshotEvery,
    Func<TState, bool>? pendingOf = null, Func<TState, bool>? complete = null)
    where TState : class, new()
{
    private int _sinceSnapshot;
    /// <summary>The stream's name while the grain is busy (built once, not at each append); <see cref="Rest"/> drops it.</summary>
    private string? _name;

    /// <summary>The stream's name, built from its parts the first time a busy spell needs it.</summary>
    private string Name => _name ??= stream.Name;

    /// <summary>The grain is idle: drops the name string (an idle activation keeps only its parts).</summary>
    public void Rest() => _name = null;

    public TState State { get; private set; } = new();

    /// <summary>Sequence number of the last record this activation knows; 0 for a stream never written.</summary>
    public long Version { get; private set; }

    /// <summary>Set when an append failed: memory is ahead of the store and the activation must not go on.</summary>
    public bool Broken { get; private set; }

    /// <summary>The task of the latest append: awaiting it waits for every earlier append too (the store keeps their order).</summary>
    public Task LastWrite { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Takes up a stream without reading it: <paramref name="state"/> is what this grain loaded or wrote at
    /// <paramref name="version"/> and kept after letting an earlier journal object go (an idle grain keeps what it needs
    /// of the state, not the journal: docs/performance.md, mem12). For a fresh journal object only.
    /// </summary>
    public void Resume(TState state, long version, int sinceSnapshot = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Version != 0 || LastWrite != Task.CompletedTask) throw new InvalidOperationException("Only a fresh journal object takes up a stream.");
        State = state;
        Version = version;
        _sinceSnapshot = sinceSnapshot;
    }

    public async Task LoadAsync()
    {
        var contents = await store.ReadAsync(Name);
        State = Replay(contents);
        Version = contents.Version;
        _sinceSnapshot = contents.Events.Count;
    }

    /// <summary>
    /// The state as the store holds it, rebuilt in a new object (snapshot plus records), for a part of it the grain
    /// does not keep in memory. Waits for the appends under way first; fails if the stream is not at <see cref="Version"/>
    /// (another writer, or a failed append), so what it returns is exactly what this activation has written.
    /// </summary>
    public async Task<TState> ReadDurableAsync()
    {
        await LastWrite;
        if (Broken) throw new InvalidOperationException($"Journal stream '{Name}' had a failed write; the activation must reload.");
        var contents = await store.ReadAsync(Name);
        if (contents.Version != Version) throw new JournalConflictException(Name, Version, contents.Version);
        return Replay(contents);
    }

    /// <summary>Whether the next <see cref="AppendAsync"/> writes a snapshot (the whole state) instead of the change.</summary>
    public bool SnapshotDue => _sinceSnapshot + 1 >= snapshotEvery;

    /// <summary>Records a change already applied to <see cref="State"/>; serialised now, durable when the task completes.</summary>
    public Task AppendAsync(TChange change)
    {
        if (++_sinceSnapshot >= snapshotEvery) return SnapshotAsync();
        return Write(JournalRecordKind.Event, serializer.SerializeToArray(change));
    }

    /// <summary>Writes the whole state; the records before it are no longer needed.</summary>
    public Task SnapshotAsync()
    {
        if (complete is not null && !complete(State))
            throw new InvalidOperationException($"Journal stream '{Name}': the state in memory is not whole; a snapshot of it would lose what only the journal holds.");
        _sinceSnapshot = 0;
        return Write(JournalRecordKind.Snapshot, serializer.SerializeToArray(State));
    }

    private TState Replay(JournalContents contents)
    {
        var state = contents.Snapshot is { } snapshot
            ? serializer.Deserialize<TState>(snapshot) ?? throw new InvalidDataException($"Journal stream '{Name}' has an empty snapshot.")
            : new TState();
        foreach (var record in contents.Events)
            apply(state, serializer.Deserialize<TChange>(record) ?? throw new InvalidDataException($"Journal stream '{Name}' has an empty record."));
        return state;
    }

    public async Task DeleteAsync()
    {
        try { await LastWrite; } catch (Exception) { /* the delete supersedes a failed write */ }
        await store.DeleteAsync(Name);
        State = new TState();
        var contents = await store.ReadAsync(Name);
        Version = contents.Version;
        _sinceSnapshot = 0;
    }

    private Task Write(JournalRecordKind kind, byte[] payload)
    {
        if (Broken) throw new InvalidOperationException($"Journal stream '{Name}' had a failed write; the activation must reload.");
        var expected = Version++;
        var task = Guard(store.AppendAsync(Name, expected, kind, payload, pendingOf?.Invoke(State) ?? false), Version);
        // A completed write is not kept: an idle activation would hold its task (about 100 bytes) for nothing.
        LastWrite = task.IsCompletedSuccessfully ? Task.CompletedTask : task;
        return task;
    }

    private async Task Guard(Task append, long version)
    {
        try
        {
            await append;
            // Runs on the grain's scheduler (the grain awaits its appends): still the latest write, so nothing to wait for.
            if (Version == version) LastWrite = Task.CompletedTask;
        }
        catch
        {
            Broken = true;
            throw;
        }
    }
}

/// <summary>
/// A journal stream's name kept as its parts (a fixed prefix, the tenant, the grain's id), which the grain holds anyway:
/// the name is built when a read or an append needs it, not kept as a string per activation.
/// </summary>
public readonly record struct JournalStreamName(string Prefix, string? Tenant = null, string? Id = null)
{
    public string Name => Tenant is null ? Prefix : string.Concat(Prefix, Tenant, "/", Id);

    public static implicit operator JournalStreamName(string name) => new(name);

    public override string ToString() => Name;
}

using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Reminders;

/// <summary>One journal stream's share of the reminder table, in memory; callers hold <see cref="Gate"/>.</summary>
internal sealed class ReminderShard(string stream)
{
    private readonly Dictionary<GrainId, Dictionary<string, ReminderEntry>> _rows = [];

    public string Stream { get; } = stream;
    public Lock Gate { get; } = new();
    /// <summary>The journal version of the last record queued for this shard.</summary>
    public long Version;
    public int EventsSinceSnapshot;
    public int Count { get; private set; }

    public IEnumerable<ReminderEntry> RowsOf(GrainId grainId) =>
        _rows.TryGetValue(grainId, out var byName) ? byName.Values : [];

    public IEnumerable<ReminderEntry> AllRows() => _rows.Values.SelectMany(r => r.Values);

    public ReminderEntry? Find(GrainId grainId, string name) =>
        _rows.TryGetValue(grainId, out var byName) && byName.TryGetValue(name, out var row) ? row : null;

    public void Put(ReminderEntry row)
    {
        if (!_rows.TryGetValue(row.GrainId, out var byName)) _rows[row.GrainId] = byName = [];
        if (!byName.ContainsKey(row.ReminderName)) Count++;
        byName[row.ReminderName] = row;
    }

    public void Remove(GrainId grainId, string name)
    {
        if (!_rows.TryGetValue(grainId, out var byName) || !byName.Remove(name)) return;
        Count--;
        if (byName.Count == 0) _rows.Remove(grainId);
    }

    public void Clear()
    {
        _rows.Clear();
        Count = 0;
    }

    /// <summary>Rebuilds the shard from its stream: the latest snapshot, then each change after it.</summary>
    public void Replay(JournalContents contents)
    {
        Clear();
        if (contents.Snapshot is { } snapshot)
            foreach (var row in ReminderRecord.ReadSnapshot(snapshot.Span)) Put(row);
        foreach (var change in contents.Events) ReminderRecord.Apply(change.Span, this);
        Version = contents.Version;
        EventsSinceSnapshot = contents.Events.Count;
    }
}

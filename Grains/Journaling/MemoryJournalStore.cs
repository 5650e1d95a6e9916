namespace Switchboard.Grains.Journaling;

/// <summary>Keeps streams in memory only (<c>Storage:Provider=memory</c>, test clusters): the same contract, nothing survives a restart.</summary>
public sealed class MemoryJournalStore : IJournalStore
{
    private sealed class Stream
    {
        public byte[]? Snapshot;
        public readonly List<byte[]> Events = [];
        public long Version;
        public bool Pending;
    }

    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    public Task<JournalContents> ReadAsync(string stream)
    {
        lock (_streams)
        {
            if (!_streams.TryGetValue(stream, out var s)) return Task.FromResult(JournalContents.Empty);
            return Task.FromResult(new JournalContents(s.Snapshot, s.Events.Select(e => (ReadOnlyMemory<byte>)e).ToList(), s.Version));
        }
    }

    public Task<IReadOnlyList<string>> PendingStreamsAsync()
    {
        lock (_streams) return Task.FromResult<IReadOnlyList<string>>([.. _streams.Where(kv => kv.Value.Pending).Select(kv => kv.Key)]);
    }

    public Task<JournalStreamPage> ListStreamsAsync(string prefix, string? cursor, int limit)
    {
        JournalListing.CheckPrefix(prefix);
        JournalListing.CheckLimit(limit);
        lock (_streams)
        {
            // The cursor is the last name returned: names sort ordinally, so the walk resumes after it.
            var page = _streams.Keys
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && (cursor is null || string.CompareOrdinal(n, cursor) > 0))
                .Order(StringComparer.Ordinal).Take(limit).ToList();
            return Task.FromResult(new JournalStreamPage(page, page.Count < limit ? null : page[^1]));
        }
    }

    public Task AppendAsync(string stream, long expectedVersion, JournalRecordKind kind, ReadOnlyMemory<byte> payload, bool pending = false)
    {
        lock (_streams)
        {
            if (!_streams.TryGetValue(stream, out var s)) _streams[stream] = s = new Stream();
            if (s.Version != expectedVersion) return Task.FromException(new JournalConflictException(stream, expectedVersion, s.Version));
            s.Version++;
            s.Pending = pending;
            if (kind == JournalRecordKind.Snapshot)
            {
                s.Snapshot = payload.ToArray();
                s.Events.Clear();
            }
            else s.Events.Add(payload.ToArray());
            return Task.CompletedTask;
        }
    }

    public Task DeleteAsync(string stream)
    {
        lock (_streams) _streams.Remove(stream);
        return Task.CompletedTask;
    }
}

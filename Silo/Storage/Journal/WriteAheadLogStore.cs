using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// The embedded journal store: one write-ahead log per silo in numbered segment files. Appends from every grain go
/// through one writer that batches whatever is queued into one write and one fsync (group commit), so a thousand
/// concurrent turns cost one disk flush, not a thousand; each append completes only once its batch is on disk.
/// An in-memory index maps each stream to its live records (latest snapshot and the events after it); recovery
/// rebuilds it by scanning the segments, truncating a torn tail. Compaction copies the live records of the oldest
/// segment forward and deletes it, so disk use stays within <see cref="WalOptions.MaxGarbageRatio"/> of the live data.
/// </summary>
public sealed class WriteAheadLogStore : IJournalStore, IAsyncDisposable
{
    private sealed class Segment(int id, string path, FileStream file)
    {
        public int Id { get; } = id;
        public string Path { get; } = path;
        public FileStream File { get; } = file;
        public long Length;
        public long LiveBytes;
    }

    private sealed class Operation(string stream, UInt128 key, long expected, JournalRecordKind kind, ReadOnlyMemory<byte> payload, bool pending = false)
    {
        public bool Pending { get; } = pending;
        public string Stream { get; } = stream;
        public UInt128 Key { get; } = key;
        public long Expected { get; } = expected;
        public JournalRecordKind Kind { get; } = kind;
        public ReadOnlyMemory<byte> Payload { get; } = payload;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public WalRecordRef Written;
        /// <summary>The sequence number <see cref="Assign"/> gave the record.</summary>
        public long Sequence;
        /// <summary>The record carries the stream's name: it leaves work pending, or it keeps a listed stream's name on disk.</summary>
        public bool WritesName;
        /// <summary>At most the bytes this record takes (with its name, should it carry one).</summary>
        public int MaxSize => WalRecord.SizeOf(Payload.Length, Pending || Listed ? Stream : null);
        public bool Listed { get; } = JournalListing.IsListed(stream) && System.Text.Encoding.UTF8.GetByteCount(stream) <= MaxNameBytes;
    }

    private const int MaxNameBytes = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, WalStreamEntry> _streams = [];
    /// <summary>Streams whose latest record left work pending, by name.</summary>
    private readonly Dictionary<UInt128, string> _pending = [];
    /// <summary>Names of the listed streams that exist (<see cref="JournalListing"/>), in ordinal order: a name is its own cursor.</summary>
    private readonly SortedSet<string> _listed = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, Segment> _segments = [];
    private readonly ConcurrentQueue<Operation> _queue = new();
    // The writer parks in the kernel (no spinning: on two cores a spinning writer steals the turns' CPU).
    private readonly AutoResetEvent _work = new(false);
    private int _signalled;
    private volatile bool _closed;
    private readonly string _folder;
    private readonly WalOptions _options;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private Segment _head = null!;
    private long _liveBytes;
    private long _totalBytes;

    /// <summary>Figures of the last recovery, for the start-up log line and the restart benchmark.</summary>
    public WalRecoveryReport Recovery { get; }

    public WriteAheadLogStore(string folder, WalOptions options, ILogger logger)
    {
        _folder = Directory.CreateDirectory(folder).FullName;
        _options = options;
        _logger = logger;
        Recovery = Recover();
        _head = OpenSegment(_segments.Count == 0 ? 1 : _segments.Keys.Max() + 1);
        // A thread of its own: the loop blocks in fsync, which must not hold a thread-pool thread.
        var writer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writer = writer.Task;
        new Thread(() =>
        {
            try
            {
                WriteLoop();
                writer.TrySetResult();
            }
            catch (Exception e)
            {
                writer.TrySetException(e);
            }
        }) { IsBackground = true, Name = "journal-writer" }.Start();
    }

    public long TotalBytes { get { lock (_lock) return _totalBytes; } }

    public long LiveBytes { get { lock (_lock) return _liveBytes; } }

    /// <summary>Group commits so far (one write and one fsync each).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    private long _flushes;

    public Task<JournalContents> ReadAsync(string stream)
    {
        var key = WalRecord.KeyOf(stream);
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_streams, key);
            if (Unsafe.IsNullRef(ref entry)) return Task.FromResult(JournalContents.Empty);
            ReadOnlyMemory<byte>? snapshot = null;
            var events = new List<ReadOnlyMemory<byte>>(entry.Count);
            for (var i = 0; i < entry.Count; i++)
            {
                var r = entry[i];
                var bytes = new byte[r.Length];
                RandomAccess.Read(_segments[r.Segment].File.SafeFileHandle, bytes, r.Offset);
                var payload = bytes.AsMemory(WalRecord.PayloadOffset(bytes));
                if (r.Kind == JournalRecordKind.Snapshot) snapshot = payload;
                else events.Add(payload);
            }
            return Task.FromResult(new JournalContents(snapshot, events, entry.LastSequence));
        }
    }

    public Task AppendAsync(string stream, long expectedVersion, JournalRecordKind kind, ReadOnlyMemory<byte> payload, bool pending = false)
    {
        if (kind is not (JournalRecordKind.Event or JournalRecordKind.Snapshot)) throw new ArgumentOutOfRangeException(nameof(kind));
        if (payload.Length > WalRecord.MaxPayload) throw new ArgumentException("A journal record is at most 64 MiB.", nameof(payload));
        if (pending && System.Text.Encoding.UTF8.GetByteCount(stream) > MaxNameBytes) throw new ArgumentException("A stream with pending work has a name of at most 1 KiB.", nameof(stream));
        return Enqueue(new Operation(stream, WalRecord.KeyOf(stream), expectedVersion, kind, payload, pending));
    }

    public Task<IReadOnlyList<string>> PendingStreamsAsync()
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<string>>([.. _pending.Values]);
    }

    public Task<JournalStreamPage> ListStreamsAsync(string prefix, string? cursor, int limit)
    {
        JournalListing.CheckPrefix(prefix);
        JournalListing.CheckLimit(limit);
        var from = cursor is not null && string.CompareOrdinal(cursor, prefix) > 0 ? cursor : prefix;
        var page = new List<string>(Math.Min(limit, 1024));
        lock (_lock)
        {
            if (_listed.Count > 0 && string.CompareOrdinal(from, _listed.Max) <= 0)
                foreach (var name in _listed.GetViewBetween(from, _listed.Max!))
                {
                    if (!name.StartsWith(prefix, StringComparison.Ordinal)) break;
                    if (name == cursor) continue;
                    page.Add(name);
                    if (page.Count == limit) break;
                }
        }
        return Task.FromResult(new JournalStreamPage(page, page.Count < limit ? null : page[^1]));
    }

    public Task DeleteAsync(string stream) =>
        Enqueue(new Operation(stream, WalRecord.KeyOf(stream), -1, JournalRecordKind.Tombstone, ReadOnlyMemory<byte>.Empty));

    private Task Enqueue(Operation op)
    {
        if (_closed) throw new ObjectDisposedException(nameof(WriteAheadLogStore));
        _queue.Enqueue(op);
        if (Interlocked.Exchange(ref _signalled, 1) == 0) _work.Set();
        return op.Done.Task;
    }

    private void WriteLoop()
    {
        var buffer = new byte[Math.Max(_options.MaxBatchBytes, 1 << 20)];
        var batch = new List<Operation>();
        while (WaitForWork())
        {
            batch.Clear();
            var used = 0;
            while (used < _options.MaxBatchBytes && _queue.TryDequeue(out var op))
            {
                var size = op.MaxSize;
                if (used + size > buffer.Length)
                {
                    if (used > 0) { Flush(batch, buffer, used); batch.Clear(); used = 0; }
                    if (size > buffer.Length) buffer = new byte[size];
                }
                if (!Assign(op)) continue;
                if (op.Kind == JournalRecordKind.Tombstone) ScrubLive(op.Key);
                var length = WalRecord.Write(buffer.AsSpan(used), op.Kind, op.Key, op.Sequence, op.Payload.Span, op.WritesName ? op.Stream : null, op.Pending);
                op.Written = op.Written with { Offset = _head.Length + used, Length = length };
                used += length;
                batch.Add(op);
            }
            if (batch.Count > 0) Flush(batch, buffer, used);
            if (_head.Length >= _options.SegmentBytes) Roll();
            CompactIfWasteful();
        }
    }

    /// <summary>Blocks until appends are queued; false once the store is closed and the queue is drained.</summary>
    private bool WaitForWork()
    {
        while (true)
        {
            if (!_queue.IsEmpty) return true;
            Volatile.Write(ref _signalled, 0);
            // An append queued before the flag was cleared is seen here; one queued after it sets the event.
            if (!_queue.IsEmpty) return true;
            if (_closed) return false;
            _work.WaitOne();
        }
    }

    /// <summary>Checks the writer's expected version and gives the record its sequence number; false when refused.</summary>
    private bool Assign(Operation op)
    {
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_streams, op.Key, out _);
            if (op.Kind != JournalRecordKind.Tombstone && entry.NextSequence != op.Expected)
            {
                op.Done.TrySetException(new JournalConflictException(op.Stream, op.Expected, entry.NextSequence));
                return false;
            }
            entry.NextSequence++;
            switch (op.Kind)
            {
                case JournalRecordKind.Tombstone:
                    entry.NamedLive = false;
                    break;
                case JournalRecordKind.Snapshot:
                    op.WritesName = op.Pending || op.Listed;
                    entry.NamedLive = op.WritesName;
                    break;
                default:
                    op.WritesName = op.Pending || (op.Listed && !entry.NamedLive);
                    entry.NamedLive |= op.WritesName;
                    break;
            }
            op.Written = new WalRecordRef(_head.Id, 0, 0, op.Kind, op.WritesName);
            op.Sequence = entry.NextSequence;
            return true;
        }
    }

    /// <summary>
    /// Erasure: overwrites the stream's live records where they lie and flushes those segments before the tombstone is
    /// written, so what the stream held (a customer's key) is off the disk once the delete is acknowledged.
    /// </summary>
    private void ScrubLive(UInt128 key)
    {
        var touched = new HashSet<Segment>();
        lock (_lock)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_streams, key);
            if (Unsafe.IsNullRef(ref entry)) return;
            for (var i = 0; i < entry.Count; i++)
            {
                var r = entry[i];
                var segment = _segments[r.Segment];
                var bytes = new byte[r.Length];
                RandomAccess.Read(segment.File.SafeFileHandle, bytes, r.Offset);
                WalRecord.Scrub(bytes);
                RandomAccess.Write(segment.File.SafeFileHandle, bytes, r.Offset);
                touched.Add(segment);
            }
        }
        foreach (var segment in touched) segment.File.Flush(flushToDisk: true);
    }

    private void Flush(List<Operation> batch, byte[] buffer, int used)
    {
        try
        {
            RandomAccess.Write(_head.File.SafeFileHandle, buffer.AsSpan(0, used), _head.Length);
            if (_options.Fsync) _head.File.Flush(flushToDisk: true);
            Interlocked.Increment(ref _flushes);
        }
        catch (Exception e)
        {
            _logger.LogError("Journal write of {Count} records failed: {Error}", batch.Count, e.Message);
            lock (_lock)
                foreach (var op in batch)
                {
                    ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_streams, op.Key);
                    entry.NextSequence = entry.LastSequence;
                    entry.NamedLive = entry.AnyNamed();
                }
            foreach (var op in batch) op.Done.TrySetException(e);
            return;
        }
        lock (_lock)
        {
            _head.Length += used;
            _totalBytes += used;
            foreach (var op in batch)
            {
                Index(ref CollectionsMarshal.GetValueRefOrNullRef(_streams, op.Key), op.Written, op.Sequence);
                // The listing keeps the one instance of a listed stream's name (the key is a hash of it, so the
                // operation names the same stream, tombstone included): no copy per stream entry (mem11).
                if (op.Kind == JournalRecordKind.Tombstone) _listed.Remove(op.Stream);
                else if (op.Listed) _listed.Add(op.Stream);
                if (op.Pending) _pending[op.Key] = op.Stream;
                else _pending.Remove(op.Key);
            }
        }
        foreach (var op in batch) op.Done.TrySetResult();
    }

    /// <summary>Makes a durable record part of its stream: a snapshot or tombstone retires everything before it.</summary>
    private void Index(ref WalStreamEntry entry, WalRecordRef r, long sequence)
    {
        entry.LastSequence = Math.Max(entry.LastSequence, sequence);
        if (r.Kind != JournalRecordKind.Event)
        {
            for (var i = 0; i < entry.Count; i++) Retire(entry[i]);
            entry.Clear();
        }
        // A tombstone stays live bytes of its segment (it must outlive older records) but is no part of the stream.
        if (r.Kind != JournalRecordKind.Tombstone) entry.Add(r);
        var segment = _segments[r.Segment];
        segment.LiveBytes += r.Length;
        _liveBytes += r.Length;
    }

    private void Retire(WalRecordRef r)
    {
        if (!_segments.TryGetValue(r.Segment, out var segment)) return;
        segment.LiveBytes -= r.Length;
        _liveBytes -= r.Length;
    }

    private void Roll()
    {
        lock (_lock) _head = OpenSegment(_head.Id + 1);
    }

    private void CompactIfWasteful()
    {
        Segment oldest;
        lock (_lock)
        {
            if (_segments.Count < 2 || _totalBytes <= _options.MaxGarbageRatio * _liveBytes + 2 * _options.SegmentBytes) return;
            oldest = _segments.First().Value;
            if (oldest == _head) return;
        }
        Compact(oldest);
    }

    /// <summary>
    /// Copies the live records of <paramref name="segment"/> (the oldest) to the head with their sequence numbers, flushes,
    /// then deletes the segment. Tombstones in the oldest segment have nothing older left to hide and are dropped.
    /// A crash in between leaves two copies of a record, which recovery treats as one.
    /// </summary>
    private void Compact(Segment segment)
    {
        var moves = new List<(UInt128 Key, int Index, WalRecordRef Ref)>();
        byte[] copy;
        int used = 0;
        lock (_lock)
        {
            foreach (var (key, entry) in _streams)
                for (var i = 0; i < entry.Count; i++)
                    if (entry[i].Segment == segment.Id) moves.Add((key, i, entry[i]));
            copy = new byte[moves.Sum(m => (long)m.Ref.Length)];
            for (var i = 0; i < moves.Count; i++)
            {
                var m = moves[i];
                RandomAccess.Read(segment.File.SafeFileHandle, copy.AsSpan(used, m.Ref.Length), m.Ref.Offset);
                moves[i] = (m.Key, m.Index, m.Ref with { Segment = _head.Id, Offset = _head.Length + used });
                used += m.Ref.Length;
            }
        }
        if (used > 0)
        {
            RandomAccess.Write(_head.File.SafeFileHandle, copy.AsSpan(0, used), _head.Length);
            if (_options.Fsync) _head.File.Flush(flushToDisk: true);
        }
        lock (_lock)
        {
            _head.Length += used;
            _totalBytes += used;
            _head.LiveBytes += used;
            _liveBytes += used;
            // Entries are never removed, and only this thread changes their records: each is where the scan found it.
            foreach (var (key, index, moved) in moves) CollectionsMarshal.GetValueRefOrNullRef(_streams, key)[index] = moved;
            _segments.Remove(segment.Id);
            _totalBytes -= segment.Length;
            _liveBytes -= segment.LiveBytes;
        }
        segment.File.Dispose();
        File.Delete(segment.Path);
        _logger.LogDebug("Journal segment {Segment} compacted: {Moved} live records ({Bytes} bytes) moved", segment.Id, moves.Count, used);
        if (_head.Length >= _options.SegmentBytes) Roll();
    }

    private Segment OpenSegment(int id)
    {
        var path = Path.Combine(_folder, $"{id:D8}.wal");
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);
        var segment = new Segment(id, path, file) { Length = file.Length };
        _segments[id] = segment;
        _totalBytes += segment.Length;
        return segment;
    }

    private WalRecoveryReport Recover()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var files = Directory.GetFiles(_folder, "*.wal")
            .Select(p => (Path: p, Id: int.TryParse(Path.GetFileNameWithoutExtension(p), out var n) ? n : -1))
            .Where(f => f.Id > 0).OrderBy(f => f.Id).ToList();
        var all = new Dictionary<UInt128, List<(WalRecordRef Ref, long Sequence)>>();
        var latestNamed = new Dictionary<UInt128, (long Sequence, string Name, bool Pending)>();
        long records = 0, truncated = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var bytes = File.ReadAllBytes(files[i].Path);
            long offset = 0;
            while (offset < bytes.Length)
            {
                if (!WalRecord.TryRead(bytes.AsSpan((int)offset), out var kind, out var key, out var sequence, out var length, out var named, out var pending))
                {
                    truncated += bytes.Length - offset;
                    _logger.LogWarning("Journal segment {Segment}: {Bytes} bytes after offset {Offset} are torn or corrupt and were dropped",
                        files[i].Id, bytes.Length - offset, offset);
                    break;
                }
                if (!all.TryGetValue(key, out var list)) all[key] = list = [];
                list.Add((new WalRecordRef(files[i].Id, offset, length, kind, named), sequence));
                if (named && (!latestNamed.TryGetValue(key, out var known) || known.Sequence < sequence))
                    latestNamed[key] = (sequence, WalRecord.NameOf(bytes.AsSpan((int)offset)), pending);
                records++;
                offset += length;
            }
            if (offset < bytes.Length)
                using (var f = new FileStream(files[i].Path, FileMode.Open, FileAccess.Write)) f.SetLength(offset);
            OpenSegment(files[i].Id);
        }
        foreach (var (key, list) in all)
        {
            list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            var entry = new WalStreamEntry();
            long previous = -1;
            foreach (var (r, sequence) in list)
            {
                if (sequence == previous) continue; // a copy left by a compaction interrupted by a crash
                previous = sequence;
                if (r.Kind == JournalRecordKind.Scrubbed) continue;
                Index(ref entry, r, sequence);
            }
            entry.NextSequence = entry.LastSequence;
            entry.NamedLive = entry.AnyNamed();
            _streams[key] = entry;
            if (!latestNamed.TryGetValue(key, out var named)) continue;
            // The key is a hash of the name, so any record carrying a name carries this stream's.
            if (entry.Count > 0 && JournalListing.IsListed(named.Name)) _listed.Add(named.Name);
            // Work is pending when the stream's latest record says so.
            if (named.Pending && named.Sequence == entry.LastSequence) _pending[key] = named.Name;
        }
        return new WalRecoveryReport(files.Count, records, _streams.Count, truncated, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _work.Set();
        await _writer;
        lock (_lock)
            foreach (var s in _segments.Values) s.File.Dispose();
    }
}

public sealed record WalRecoveryReport(int Segments, long Records, int Streams, long TruncatedBytes, TimeSpan Elapsed);

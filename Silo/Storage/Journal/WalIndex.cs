using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// Where one durable record lies, as the in-memory index keeps it: 16 bytes (the segment, the offset, and the length with
/// the kind and the named flag packed into one word). The index holds one per live record of every stream, so with a
/// hundred thousand customers (three streams each) its size is part of the memory per customer. The record's sequence
/// number is not kept: the stream's latest is (docs/performance.md, mem11).
/// </summary>
internal readonly struct WalRecordRef
{
    private const uint LengthMask = (1u << 27) - 1; // a record is at most 64 MiB of payload plus header and name
    private const int KindShift = 27;
    private const uint NamedBit = 1u << 31;

    private readonly uint _lengthKindNamed;

    public WalRecordRef(int segment, long offset, int length, JournalRecordKind kind, bool named = false)
    {
        if ((uint)length > LengthMask) throw new ArgumentOutOfRangeException(nameof(length));
        Segment = segment;
        Offset = offset;
        _lengthKindNamed = (uint)length | ((uint)kind & 0xF) << KindShift | (named ? NamedBit : 0);
    }

    public int Segment { get; init; }

    public long Offset { get; init; }

    public int Length
    {
        get => (int)(_lengthKindNamed & LengthMask);
        init => _lengthKindNamed = (_lengthKindNamed & ~LengthMask) | ((uint)value <= LengthMask ? (uint)value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    public JournalRecordKind Kind => (JournalRecordKind)((_lengthKindNamed >> KindShift) & 0xF);

    /// <summary>The record carries the stream's name on disk.</summary>
    public bool Named => (_lengthKindNamed & NamedBit) != 0;
}

/// <summary>
/// A stream's entry in the in-memory index: its live records (its latest snapshot and the events after it, oldest
/// first), its latest durable sequence number, the number of appends queued beyond it, and whether a live record carries
/// the stream's name. Most streams have one record (an identity's or a key's snapshot), so the first is kept inline and
/// an array is allocated only from the second on. Held by value in the index's dictionary: 40 bytes, no object header
/// and no reference per stream (docs/performance.md, mem12).
/// A mutable struct: change it through a ref into the dictionary, never on a copy.
/// </summary>
internal struct WalStreamEntry
{
    private const int NamedBit = 1;

    private WalRecordRef _first;
    private WalRecordRef[]? _rest;
    private long _lastSequence;
    private int _count;
    /// <summary>Appends queued beyond <see cref="LastSequence"/>, shifted left one bit; the low bit is <see cref="NamedLive"/>.</summary>
    private int _queuedNamed;

    /// <summary>The latest durable sequence number; setting it keeps <see cref="NextSequence"/> (raised to it if below, as in recovery).</summary>
    public long LastSequence
    {
        readonly get => _lastSequence;
        set
        {
            var next = Math.Max(NextSequence, value);
            _lastSequence = value;
            NextSequence = next;
        }
    }

    /// <summary>The sequence number last assigned to a queued append (at least <see cref="LastSequence"/>).</summary>
    public long NextSequence
    {
        readonly get => _lastSequence + (_queuedNamed >>> 1);
        set
        {
            var queued = value - _lastSequence;
            if (queued < 0 || queued > int.MaxValue >> 1) throw new ArgumentOutOfRangeException(nameof(value));
            _queuedNamed = (int)queued << 1 | (_queuedNamed & NamedBit);
        }
    }

    /// <summary>
    /// A live record, durable or queued, carries the name. A listed stream names its record when none does, and every
    /// snapshot (which retires all before it), so its name is always on disk while the stream exists.
    /// </summary>
    public bool NamedLive
    {
        readonly get => (_queuedNamed & NamedBit) != 0;
        set => _queuedNamed = value ? _queuedNamed | NamedBit : _queuedNamed & ~NamedBit;
    }

    public readonly int Count => _count;

    public WalRecordRef this[int index]
    {
        readonly get => (uint)index < (uint)_count ? index == 0 ? _first : _rest![index - 1] : throw new ArgumentOutOfRangeException(nameof(index));
        set
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            if (index == 0) _first = value;
            else _rest![index - 1] = value;
        }
    }

    public void Add(WalRecordRef record)
    {
        if (_count == 0) _first = record;
        else
        {
            // Two slots first: most customers between snapshots have a few records (the array grows by doubling).
            _rest ??= new WalRecordRef[2];
            if (_count - 1 == _rest.Length) Array.Resize(ref _rest, _rest.Length * 2);
            _rest[_count - 1] = record;
        }
        _count++;
    }

    /// <summary>Forgets every record; the array is dropped too (a snapshot usually leaves one record for a while).</summary>
    public void Clear()
    {
        _first = default;
        _rest = null;
        _count = 0;
    }

    public readonly bool AnyNamed()
    {
        for (var i = 0; i < _count; i++)
            if (this[i].Named) return true;
        return false;
    }
}

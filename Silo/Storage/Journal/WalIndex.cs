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
/// A stream's live records (its latest snapshot and the events after it), oldest first. Most streams have one (an
/// identity's or a key's snapshot), so the first is kept inline and an array is allocated only from the second on.
/// A mutable struct: keep it in a field and call its members on the field, never on a copy.
/// </summary>
internal struct WalLiveRecords
{
    private WalRecordRef _first;
    private WalRecordRef[]? _rest;

    public int Count { get; private set; }

    public WalRecordRef this[int index]
    {
        readonly get => (uint)index < (uint)Count ? index == 0 ? _first : _rest![index - 1] : throw new ArgumentOutOfRangeException(nameof(index));
        set
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            if (index == 0) _first = value;
            else _rest![index - 1] = value;
        }
    }

    public void Add(WalRecordRef record)
    {
        if (Count == 0) _first = record;
        else
        {
            // Two slots first: most customers between snapshots have a few records (the array grows by doubling).
            _rest ??= new WalRecordRef[2];
            if (Count - 1 == _rest.Length) Array.Resize(ref _rest, _rest.Length * 2);
            _rest[Count - 1] = record;
        }
        Count++;
    }

    /// <summary>Forgets every record; the array is dropped too (a snapshot usually leaves one record for a while).</summary>
    public void Clear()
    {
        _first = default;
        _rest = null;
        Count = 0;
    }

    public readonly bool AnyNamed()
    {
        for (var i = 0; i < Count; i++)
            if (this[i].Named) return true;
        return false;
    }
}

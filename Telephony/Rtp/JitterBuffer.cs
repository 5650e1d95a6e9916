namespace Switchboard.Telephony.Rtp;

/// <summary>
/// A small reordering buffer for inbound audio: holds up to <see cref="Depth"/> frames sorted by extended sequence and
/// releases the oldest once it is full; frames older than the last one released are late and dropped. Frames handed
/// back with <see cref="Recycle"/> are reused for later packets, so a steady stream allocates nothing per packet.
/// </summary>
public sealed class JitterBuffer(int depth = 3)
{
    private readonly SortedList<long, byte[]> _frames = new(depth + 2);
    private readonly Stack<byte[]> _free = new(depth + 2);
    private long _lastReleased = -1;

    public int Depth { get; } = depth;

    public int Count => _frames.Count;

    public long Dropped { get; private set; }

    /// <summary>Adds a frame; false when it is late or a duplicate.</summary>
    public bool Push(long extendedSequence, ReadOnlySpan<byte> payload)
    {
        if (extendedSequence <= _lastReleased || _frames.ContainsKey(extendedSequence))
        {
            Dropped++;
            return false;
        }
        var frame = _free.TryPop(out var reused) && reused.Length == payload.Length ? reused : new byte[payload.Length];
        payload.CopyTo(frame);
        _frames.Add(extendedSequence, frame);
        return true;
    }

    /// <summary>The next frame in order once the buffer holds more than its depth (or <paramref name="flush"/> is set).</summary>
    public bool TryPop(out long sequence, out byte[] frame, bool flush = false)
    {
        if (_frames.Count == 0 || (!flush && _frames.Count <= Depth))
        {
            sequence = 0;
            frame = [];
            return false;
        }
        sequence = _frames.Keys[0];
        frame = _frames.Values[0];
        _frames.RemoveAt(0);
        _lastReleased = sequence;
        return true;
    }

    /// <summary>Gives a frame from <see cref="TryPop"/> back once it has been read; it will hold a later packet.</summary>
    public void Recycle(byte[] frame)
    {
        if (frame.Length > 0 && _free.Count < Depth + 2) _free.Push(frame);
    }
}

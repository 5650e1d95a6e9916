namespace Switchboard.Telephony.Rtp;

/// <summary>
/// Extends 16-bit RTP sequence numbers across wrap-around (RFC 3550 A.1, simplified) and keeps the receive statistics
/// a receiver report needs: highest extended sequence, packets received, interarrival jitter.
/// </summary>
public sealed class SequenceTracker
{
    private bool _started;
    private uint _cycles;
    private ushort _maxSeq;
    private uint _baseSeq;
    private long _lastTransit;
    private double _jitter;

    public long Received { get; private set; }

    public uint HighestExtended => _cycles + _maxSeq;

    public long Expected => _started ? HighestExtended - _baseSeq + 1 : 0;

    public long Lost => Math.Max(0, Expected - Received);

    /// <summary>Interarrival jitter in timestamp units (RFC 3550 §6.4.1).</summary>
    public uint Jitter => (uint)_jitter;

    /// <summary>Records a packet and returns its extended sequence number.</summary>
    public long Update(ushort sequence, uint rtpTimestamp = 0, long arrivalInClockUnits = 0)
    {
        Received++;
        if (!_started)
        {
            _started = true;
            _maxSeq = sequence;
            _baseSeq = sequence;
            _lastTransit = arrivalInClockUnits - rtpTimestamp;
            return sequence;
        }
        var delta = (ushort)(sequence - _maxSeq);
        long extended;
        if (delta < 0x8000)
        {
            if (sequence < _maxSeq) _cycles += 0x10000;
            _maxSeq = sequence;
            extended = _cycles + sequence;
        }
        else
        {
            // A late packet from before the highest one (possibly from before a wrap).
            extended = sequence > _maxSeq ? (long)_cycles - 0x10000 + sequence : _cycles + sequence;
        }
        var transit = arrivalInClockUnits - rtpTimestamp;
        var d = Math.Abs(transit - _lastTransit);
        _lastTransit = transit;
        _jitter += (d - _jitter) / 16.0;
        return extended;
    }
}

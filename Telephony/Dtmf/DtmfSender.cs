namespace Switchboard.Telephony.Dtmf;

/// <summary>
/// The RFC 4733 packets for one outbound digit, one per 20 ms tick: interim packets with a growing duration, then the
/// end packet three times, all with the event's single timestamp (the caller passes the timestamp of the first tick).
/// </summary>
public sealed class DtmfSender(char digit, int durationMs = 100, byte volume = 10)
{
    private readonly byte _event = TelephoneEvent.FromDigit(digit) ?? throw new ArgumentException($"'{digit}' is not a DTMF digit.", nameof(digit));
    private readonly int _interimPackets = Math.Max(1, durationMs / 20);
    private int _sent;

    public bool Finished => _sent >= _interimPackets + 3;

    /// <summary>Writes the next packet's payload; <paramref name="first"/> marks the event's first packet (RTP marker bit).</summary>
    public TelephoneEvent Next(out bool first)
    {
        first = _sent == 0;
        var interim = _sent < _interimPackets;
        var duration = (ushort)Math.Min(ushort.MaxValue, (interim ? _sent + 1 : _interimPackets) * 160);
        _sent++;
        return new TelephoneEvent(_event, !interim, volume, duration);
    }
}

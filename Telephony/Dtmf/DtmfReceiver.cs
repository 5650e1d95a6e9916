namespace Switchboard.Telephony.Dtmf;

/// <summary>
/// Turns a stream of RFC 4733 packets into digits: one digit per (SSRC, RTP timestamp), reported on the first packet
/// of the event, so the three retransmitted end packets and the interim updates never double a digit.
/// </summary>
public sealed class DtmfReceiver
{
    private uint _lastSsrc;
    private uint _lastTimestamp;
    private bool _any;

    public bool TryAccept(uint ssrc, uint timestamp, ReadOnlySpan<byte> payload, out char digit)
    {
        digit = default;
        if (!TelephoneEvent.TryRead(payload, out var evt) || TelephoneEvent.ToDigit(evt.Event) is not { } d) return false;
        if (_any && ssrc == _lastSsrc && timestamp == _lastTimestamp) return false;
        _any = true;
        _lastSsrc = ssrc;
        _lastTimestamp = timestamp;
        digit = d;
        return true;
    }
}

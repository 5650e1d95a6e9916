namespace Switchboard.Telephony.Sip;

/// <summary>
/// RFC 3261 §17 retransmission timers: resend at T1, doubling (capped at T2 for responses and non-INVITE requests:
/// timers E and G; uncapped for INVITE requests: timer A) until stopped, and time out after 64·T1 (timers B, F, H).
/// </summary>
public sealed class Retransmitter : IDisposable
{
    public static readonly TimeSpan T1 = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan T2 = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan T4 = TimeSpan.FromSeconds(5);
    public static TimeSpan Timeout => 64 * T1;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Action _resend;
    private readonly Action _timedOut;
    private readonly bool _capAtT2;
    private readonly bool _retransmit;
    private readonly ITimer _timer;
    private TimeSpan _interval = T1;
    private TimeSpan _elapsed;
    private bool _stopped;

    /// <param name="retransmit">False on reliable transports: only the timeout runs.</param>
    public Retransmitter(TimeProvider time, Action resend, Action timedOut, bool capAtT2, bool retransmit = true)
    {
        _time = time;
        _resend = resend;
        _timedOut = timedOut;
        _capAtT2 = capAtT2;
        _retransmit = retransmit;
        _timer = time.CreateTimer(_ => Fire(), null, retransmit ? T1 : Timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public bool Stopped
    {
        get { lock (_lock) return _stopped; }
    }

    public void Stop()
    {
        lock (_lock) _stopped = true;
        _timer.Dispose();
    }

    private void Fire()
    {
        bool timeout;
        lock (_lock)
        {
            if (_stopped) return;
            _elapsed += _retransmit ? _interval : Timeout;
            timeout = _elapsed >= Timeout;
            if (timeout) _stopped = true;
            else
            {
                _interval = _capAtT2 ? TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, T2.Ticks)) : _interval * 2;
                var next = _elapsed + _interval > Timeout ? Timeout - _elapsed : _interval;
                _timer.Change(next, System.Threading.Timeout.InfiniteTimeSpan);
            }
        }
        // Timer callbacks run on the thread pool: an exception here would end the process.
        try
        {
            if (timeout) _timedOut();
            else _resend();
        }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { }
    }

    public void Dispose() => Stop();
}

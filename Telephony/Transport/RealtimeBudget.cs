namespace Switchboard.Telephony.Transport;

/// <summary>
/// The flood guard of a receive thread that runs at real-time priority (SCHED_FIFO). Such a thread preempts every
/// ordinary thread on its core, so a flood of datagrams would let it own the core. It may spend at most
/// <c>budget</c> of busy time (handling datagrams, not waiting for them) in each <c>window</c>; past that it
/// drops to ordinary scheduling for the rest of the window and competes like any other thread, and it is raised again
/// when the next window starts. Pure bookkeeping on timestamps the caller passes in (Stopwatch ticks), so it is tested
/// without a clock.
/// </summary>
public sealed class RealtimeBudget
{
    private readonly long _window;
    private readonly long _budget;
    private long _windowStart;
    private long _spent;

    /// <param name="window">The accounting window, in the caller's ticks.</param>
    /// <param name="budget">Busy time allowed at real-time priority per window, in the same ticks (less than the window).</param>
    /// <param name="now">The current time, in the same ticks.</param>
    public RealtimeBudget(long window, long budget, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(budget, window);
        _window = window;
        _budget = budget;
        _windowStart = now;
    }

    /// <summary>Whether the thread should be at real-time priority now.</summary>
    public bool Realtime { get; private set; } = true;

    /// <summary>Windows in which the budget ran out (the thread was demoted): a SIP flood, or more signalling than the budget allows.</summary>
    public long Demotions { get; private set; }

    /// <summary>
    /// Records <paramref name="busy"/> ticks of work that ended at <paramref name="now"/>. Returns true when
    /// <see cref="Realtime"/> changed, so the caller changes the thread's scheduling only then.
    /// </summary>
    public bool Charge(long busy, long now)
    {
        var was = Realtime;
        if (now - _windowStart >= _window)
        {
            // A new window: the work just done counts in it, whatever the earlier window spent.
            _windowStart = now - Math.Min(busy, _window);
            _spent = 0;
            Realtime = true;
        }
        _spent += Math.Max(0, busy);
        if (Realtime && _spent > _budget)
        {
            Realtime = false;
            Demotions++;
        }
        return Realtime != was;
    }

    /// <summary>
    /// Called when the thread is about to wait for the next datagram: a demoted thread whose window has ended is raised
    /// again before it sleeps, so the next message after a flood is handled at real-time priority. Returns true when
    /// <see cref="Realtime"/> changed.
    /// </summary>
    public bool Idle(long now) => !Realtime && now - _windowStart >= _window && Charge(0, now);
}

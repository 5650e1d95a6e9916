namespace Switchboard.Journeys.Rules;

/// <summary>
/// Paces proactive calls on one trunk: at most <c>callsPerSecond</c> call attempts started in any second and at most
/// <c>concurrent</c> calls up at once. Time comes from the caller, so it runs on virtual time in the simulator and tests.
/// </summary>
public sealed class CallPacer(int callsPerSecond, int concurrent)
{
    private readonly Queue<DateTimeOffset> _recentStarts = new();
    private int _active;

    public int Active => _active;

    public int CallsPerSecond => callsPerSecond;

    public int Concurrent => concurrent;

    /// <summary>New limits (the tenant's rules changed) keep the calls already up and the starts of the last second.</summary>
    public void Reconfigure(int perSecond, int maxConcurrent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        (callsPerSecond, concurrent) = (perSecond, maxConcurrent);
    }

    /// <summary>Starts a call now when pacing allows; else returns false and when to ask again.</summary>
    public bool TryStart(DateTimeOffset now, out DateTimeOffset retryAt)
    {
        while (_recentStarts.Count > 0 && now - _recentStarts.Peek() >= TimeSpan.FromSeconds(1)) _recentStarts.Dequeue();
        if (_active >= concurrent) { retryAt = now.AddMilliseconds(250); return false; }
        if (_recentStarts.Count >= callsPerSecond) { retryAt = _recentStarts.Peek().AddSeconds(1); return false; }
        _recentStarts.Enqueue(now);
        _active++;
        retryAt = now;
        return true;
    }

    public void Ended() => _active = Math.Max(0, _active - 1);
}

namespace Switchboard.Journeys.Rules;

/// <summary>
/// One journey's messages per minute on one channel (its <see cref="CapacityShare"/>), as a token bucket that holds at
/// most one second's worth: sends are spread over the minute instead of leaving in a burst at its start. Time comes from
/// the caller, so it runs on virtual time in tests. The rate can change (another journey started or stopped) without
/// losing what is saved.
/// </summary>
public sealed class MessageBudget
{
    private double _tokens;
    private DateTimeOffset _at;
    private int _perMinute;

    public MessageBudget(int perMinute, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        _perMinute = perMinute;
        _at = now;
        _tokens = Burst;
    }

    public int PerMinute => _perMinute;

    /// <summary>The most sends that may leave at once: a second's worth, at least one.</summary>
    public double Burst => Math.Max(1.0, _perMinute / 60.0);

    public void SetRate(int perMinute, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        Refill(now);
        _perMinute = perMinute;
        _tokens = Math.Min(_tokens, Burst);
    }

    /// <summary>Takes one send now when there is room; else returns false and when there will be.</summary>
    public bool TryTake(DateTimeOffset now, out DateTimeOffset retryAt)
    {
        Refill(now);
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAt = now;
            return true;
        }
        var seconds = (1 - _tokens) * 60.0 / _perMinute;
        retryAt = now + TimeSpan.FromSeconds(Math.Max(seconds, 0.001));
        return false;
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _at) return;
        _tokens = Math.Min(Burst, _tokens + (now - _at).TotalSeconds * _perMinute / 60.0);
        _at = now;
    }
}

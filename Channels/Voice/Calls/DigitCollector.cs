using System.Text;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// Collects keyed digits into one input: complete on <c>#</c> (not included) or after the inter-digit timeout, measured on
/// the injected <see cref="TimeProvider"/>. A lone <c>#</c> is an input of its own. At most 32 digits.
/// One timer per collector, re-armed for each digit (a timer and a closure per digit were most of what a DTMF turn
/// allocated on the voice side): a firing that a later digit has overtaken finds its deadline moved and re-arms.
/// </summary>
public sealed class DigitCollector(TimeProvider time, TimeSpan interDigitTimeout, Action<string> completed) : IDisposable
{
    public const int MaxDigits = 32;
    private readonly Lock _lock = new();
    private readonly StringBuilder _digits = new();
    private readonly long _timeoutTicks = (long)(interDigitTimeout.TotalSeconds * time.TimestampFrequency);
    private ITimer? _timer;
    /// <summary>When the input times out, in <see cref="TimeProvider.GetTimestamp"/> ticks; 0 while no timer is armed.</summary>
    private long _deadline;

    public void Add(char digit)
    {
        string? done = null;
        lock (_lock)
        {
            if (digit == '#')
            {
                done = _digits.Length > 0 ? _digits.ToString() : "#";
                _digits.Clear();
                Disarm();
            }
            else
            {
                _digits.Append(digit);
                if (_digits.Length >= MaxDigits)
                {
                    done = _digits.ToString();
                    _digits.Clear();
                    Disarm();
                }
                else
                {
                    _deadline = time.GetTimestamp() + _timeoutTicks;
                    _timer ??= time.CreateTimer(static state => ((DigitCollector)state!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _timer.Change(interDigitTimeout, Timeout.InfiniteTimeSpan);
                }
            }
        }
        if (done is not null) completed(done);
    }

    private void Disarm()
    {
        _deadline = 0;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void OnTimeout()
    {
        string? done = null;
        lock (_lock)
        {
            if (_deadline == 0 || _digits.Length == 0) return;
            var left = _deadline - time.GetTimestamp();
            if (left > 0)
            {
                // Armed again by a later digit after this firing was due (or the timer ran a little ahead of the clock):
                // wait for what is left.
                _timer?.Change(TimeSpan.FromSeconds((double)left / time.TimestampFrequency), Timeout.InfiniteTimeSpan);
                return;
            }
            _deadline = 0;
            done = _digits.ToString();
            _digits.Clear();
        }
        completed(done);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            _deadline = 0;
        }
    }
}

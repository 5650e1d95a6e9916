using System.Text;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// Collects keyed digits into one input: complete on <c>#</c> (not included) or after the inter-digit timeout, measured on
/// the injected <see cref="TimeProvider"/>. A lone <c>#</c> is an input of its own. At most 32 digits.
/// </summary>
public sealed class DigitCollector(TimeProvider time, TimeSpan interDigitTimeout, Action<string> completed) : IDisposable
{
    public const int MaxDigits = 32;
    private readonly Lock _lock = new();
    private readonly StringBuilder _digits = new();
    private ITimer? _timer;
    private int _generation;

    public void Add(char digit)
    {
        string? done = null;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            _generation++;
            if (digit == '#')
            {
                done = _digits.Length > 0 ? _digits.ToString() : "#";
                _digits.Clear();
            }
            else
            {
                _digits.Append(digit);
                if (_digits.Length >= MaxDigits)
                {
                    done = _digits.ToString();
                    _digits.Clear();
                }
                else
                {
                    var generation = _generation;
                    _timer = time.CreateTimer(_ => Timeout(generation), null, interDigitTimeout, System.Threading.Timeout.InfiniteTimeSpan);
                }
            }
        }
        if (done is not null) completed(done);
    }

    private void Timeout(int generation)
    {
        string? done = null;
        lock (_lock)
        {
            if (generation != _generation || _digits.Length == 0) return;
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
            _generation++;
        }
    }
}

namespace Switchboard.Bench;

/// <summary>Latency samples in ticks of <see cref="System.Diagnostics.Stopwatch"/>, reported in microseconds.</summary>
public sealed class Percentiles
{
    private readonly List<long> _ticks = [];
    private readonly Lock _lock = new();

    public void Add(long ticks)
    {
        lock (_lock) _ticks.Add(ticks);
    }

    public void AddRange(IEnumerable<long> ticks)
    {
        lock (_lock) _ticks.AddRange(ticks);
    }

    public int Count => _ticks.Count;

    public double Micros(double percentile)
    {
        lock (_lock)
        {
            if (_ticks.Count == 0) return double.NaN;
            _ticks.Sort();
            var index = (int)Math.Clamp(Math.Ceiling(percentile / 100.0 * _ticks.Count) - 1, 0, _ticks.Count - 1);
            return _ticks[index] * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
        }
    }

    public string Summary() => $"p50 {Micros(50):F1} µs  p99 {Micros(99):F1} µs  max {Micros(100):F1} µs  (n={Count})";
}

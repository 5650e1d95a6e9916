using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchboard.Bench.Load;

/// <summary>What one channel of one run did: turns answered, their latencies (and when each ended, for the kill timeline), errors, retries.</summary>
public sealed class ChannelStats(string channel)
{
    private long _ok, _errors, _retries;
    private readonly ConcurrentQueue<(double At, long Ticks)> _timeline = new();

    public string Channel { get; } = channel;
    public Percentiles Latency { get; } = new();
    public long Ok => Interlocked.Read(ref _ok);
    /// <summary>Requests that failed (5xx, refused, timed out); each is retried, so an error is not a lost turn.</summary>
    public long Errors => Interlocked.Read(ref _errors);
    public long Retries => Interlocked.Read(ref _retries);
    public long Lost { get; set; }
    public long Duplicated { get; set; }

    public void Answered(long ticks, double at)
    {
        Interlocked.Increment(ref _ok);
        Latency.Add(ticks);
        _timeline.Enqueue((at, ticks));
    }

    public void Failed() => Interlocked.Increment(ref _errors);

    public void Retried() => Interlocked.Increment(ref _retries);

    /// <summary>(second since start, latency in ms) of every answered turn.</summary>
    public IEnumerable<(double At, double Ms)> Timeline() => _timeline.Select(t => (t.At, t.Ticks * 1000.0 / Stopwatch.Frequency));
}

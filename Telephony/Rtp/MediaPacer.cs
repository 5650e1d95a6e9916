using System.Diagnostics;

namespace Switchboard.Telephony.Rtp;

/// <summary>Something that sends one packet every 20 ms when the pacer calls it. It must not block.</summary>
public interface IPacedStream
{
    void OnTick();
}

/// <summary>
/// The single timer wheel that paces every call's outbound RTP: one thread ticks every millisecond and serves one of
/// 20 slots, so each stream is called every 20 ms and the calls are spread evenly over the period instead of bursting
/// together. No thread, task or timer per call. <see cref="Lateness"/> records how late each packet went out.
/// </summary>
public sealed class MediaPacer : IDisposable
{
    public const int Slots = 20;
    private readonly Lock _lock = new();
    private readonly IPacedStream[][] _slots = new IPacedStream[Slots][];
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _count;
    private long _missedTicks;
    private readonly bool _realtime;
    /// <summary>Set while any stream is paced: with no call the thread sleeps on it instead of waking 1,000 times a second.</summary>
    private readonly ManualResetEventSlim _busy = new(false, spinCount: 0);

    public MediaPacer() : this(realtime: false)
    {
    }

    /// <param name="realtime">Ask Linux for SCHED_FIFO for the pacer thread (root or CAP_SYS_NICE); otherwise nice -15 when allowed.</param>
    public MediaPacer(bool realtime)
    {
        _realtime = realtime;
        for (var i = 0; i < Slots; i++) _slots[i] = [];
        _thread = new Thread(Run) { IsBackground = true, Name = "rtp-pacer", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    public int Count => _count;

    /// <summary>
    /// Ticks skipped after a stall of more than 100 ms (their packets were never sent: late audio is useless). Their
    /// packets are counted in <see cref="Lateness"/>'s last bucket.
    /// </summary>
    public long MissedTicks => Interlocked.Read(ref _missedTicks);

    /// <summary>Per-packet send lateness in 50 µs buckets (last bucket: 50 ms and more, and packets skipped after a stall).</summary>
    public LatenessHistogram Lateness { get; } = new();

    public void Add(IPacedStream stream)
    {
        lock (_lock)
        {
            var best = 0;
            for (var i = 1; i < Slots; i++)
                if (_slots[i].Length < _slots[best].Length) best = i;
            _slots[best] = [.. _slots[best], stream];
            _count++;
            _busy.Set();
        }
    }

    public void Remove(IPacedStream stream)
    {
        lock (_lock)
        {
            for (var i = 0; i < Slots; i++)
            {
                var index = Array.IndexOf(_slots[i], stream);
                if (index < 0) continue;
                var shorter = new IPacedStream[_slots[i].Length - 1];
                Array.Copy(_slots[i], shorter, index);
                Array.Copy(_slots[i], index + 1, shorter, index, shorter.Length - index);
                _slots[i] = shorter;
                if (--_count == 0) _busy.Reset();
                return;
            }
        }
    }

    /// <summary>The scheduling the pacer thread got ("SCHED_FIFO 10", "nice -15" or "default").</summary>
    public string Scheduling { get; private set; } = "starting";

    private void Run()
    {
        Scheduling = PacerThreadPriority.Raise(_realtime);
        var frequency = Stopwatch.Frequency;
        var tickLength = frequency / 1000;
        var next = Stopwatch.GetTimestamp() + tickLength;
        long tick = 0;
        while (!_stopping)
        {
            if (Volatile.Read(ref _count) == 0)
            {
                _busy.Wait();
                next = Stopwatch.GetTimestamp() + tickLength;
                continue;
            }
            var wait = next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                // Sleep rather than spin, until the tick is due: the thread costs next to nothing while it waits. With
                // Thread.Sleep(1) (~1.05-1.1 ms on Linux) each tick's packets went out up to a millisecond late.
                PreciseSleep.Sleep(wait * 1_000_000_000 / frequency);
                continue;
            }
            var streams = Volatile.Read(ref _slots[tick % Slots]);
            foreach (var s in streams)
            {
                // Lateness of each packet against its ideal 20 ms grid point: what a receiver sees as send jitter.
                Lateness.Record((Stopwatch.GetTimestamp() - next) * 1_000_000 / frequency);
                try { s.OnTick(); }
                catch { /* a broken stream must not stop the others */ }
            }
            tick++;
            next += tickLength;
            // After a long stall (debugger, GC), skip ahead rather than firing a burst.
            if (Stopwatch.GetTimestamp() - next > 100 * tickLength)
            {
                var skipped = (Stopwatch.GetTimestamp() - next) / tickLength;
                Interlocked.Add(ref _missedTicks, skipped);
                // Their packets count as the latest there are: a receiver hears a gap, so they must not vanish from the
                // histogram and make the stall look like on-time audio.
                Lateness.RecordNeverSent(PacketsDue(slot => Volatile.Read(ref _slots[slot]).Length, tick, skipped));
                tick += skipped;
                next += skipped * tickLength;
            }
        }
    }

    /// <summary>
    /// How many packets <paramref name="ticks"/> ticks from <paramref name="firstTick"/> send, given the streams in each
    /// slot: slot <c>k</c> comes round once every <see cref="Slots"/> ticks.
    /// </summary>
    public static long PacketsDue(Func<int, int> streamsInSlot, long firstTick, long ticks)
    {
        long packets = 0;
        for (long t = 0; t < Math.Min(ticks, Slots); t++)
            packets += streamsInSlot((int)((firstTick + t) % Slots)) * ((ticks - t + Slots - 1) / Slots);
        return packets;
    }

    public void Dispose()
    {
        _stopping = true;
        _busy.Set();
        _thread.Join(1000);
    }
}

/// <summary>Lock-free counts of lateness in 50 µs buckets up to 50 ms.</summary>
public sealed class LatenessHistogram
{
    private const int BucketMicros = 50;
    private readonly long[] _buckets = new long[1001];

    public void Record(long micros)
    {
        var b = (int)Math.Clamp(micros / BucketMicros, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[b]);
    }

    /// <summary>Packets a stall kept from being sent at all: counted in the last bucket (50 ms and more).</summary>
    public void RecordNeverSent(long packets)
    {
        if (packets > 0) Interlocked.Add(ref _buckets[^1], packets);
    }

    public void Reset() => Array.Clear(_buckets);

    public long Count => _buckets.Sum();

    /// <summary>Upper edge of the bucket holding the given percentile, in microseconds.</summary>
    public double Percentile(double p)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var target = (long)Math.Ceiling(p / 100.0 * total);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Volatile.Read(ref _buckets[i]);
            if (seen >= target) return (i + 1) * BucketMicros;
        }
        return _buckets.Length * BucketMicros;
    }
}

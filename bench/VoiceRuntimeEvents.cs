using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Switchboard.Bench;

/// <summary>
/// What the runtime did to the voice benchmark's process while it ran: every GC (generation, reason, how long the
/// execution engine was suspended for it) from the runtime's own events, and the thread pool's queue length sampled
/// every 10 ms, and which types were allocated on the large object heap (allocation-tick samples). Phases (ramp, hold) are cut by <see cref="Cut"/>.
/// </summary>
internal sealed class VoiceRuntimeEvents : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentQueue<(int Generation, int Reason, double PauseMs, double SuspendMs)> _gcs = new();
    private long _suspendStarted;
    private long _suspended;
    private int _generation = -1;
    private int _reason = -1;
    private readonly Thread _sampler;
    private volatile bool _stopped;
    private long _maxQueue;
    private long _queueSamplesOver100;
    private long _queueSamples;
    private readonly ConcurrentDictionary<string, long> _largeAllocations = new();
    private readonly ConcurrentDictionary<string, long> _smallAllocations = new();
    private readonly ConcurrentQueue<(int Generation, double PromotedMb)> _promoted = new();
    private int _lastGeneration = -1;

    public VoiceRuntimeEvents()
    {
        _sampler = new Thread(Sample) { IsBackground = true, Name = "bench-threadpool-sampler" };
        _sampler.Start();
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // GCSuspendEEBegin_V1 (9) .. GCRestartEEEnd_V1 (3) brackets the pause; GCStart_V2 (1) says which generation and why.
        switch (e.EventId)
        {
            case 9:
                Volatile.Write(ref _suspendStarted, e.TimeStamp.Ticks);
                break;
            case 8: // GCSuspendEEEnd: every managed thread stopped; the rest of the pause is the GC's own work
                _suspended = e.TimeStamp.Ticks;
                break;
            case 1 when e.Payload is { Count: >= 3 } p:
                _generation = Convert.ToInt32(p[1]);
                _reason = Convert.ToInt32(p[2]);
                _lastGeneration = _generation;
                break;
            case 10 when e.Payload is { Count: >= 6 } p:
                // GCAllocationTick: one sample per ~100 KB allocated; kind 1 = the large object heap, what triggers "alloc-large" GCs,
                // kind 0 = small objects (what fills gen0 and so triggers gen0/gen1).
                (Convert.ToInt32(p[1]) == 1 ? _largeAllocations : _smallAllocations).AddOrUpdate(p[5]?.ToString() ?? "?", 1, static (_, n) => n + 1);
                break;
            case 4 when e.Payload is { Count: >= 6 } p && _lastGeneration >= 0:
                // GCHeapStats: bytes promoted out of the collected generations, i.e. what survived and was copied (the GC's work).
                var promoted = Convert.ToDouble(p[1]) + (_lastGeneration >= 1 ? Convert.ToDouble(p[3]) : 0) + (_lastGeneration >= 2 ? Convert.ToDouble(p[5]) : 0);
                _promoted.Enqueue((_lastGeneration, promoted / 1e6));
                _lastGeneration = -1;
                break;
            case 3:
                var started = Volatile.Read(ref _suspendStarted);
                if (started != 0 && _generation >= 0)
                    _gcs.Enqueue((_generation, _reason, TimeSpan.FromTicks(e.TimeStamp.Ticks - started).TotalMilliseconds,
                        _suspended >= started ? TimeSpan.FromTicks(_suspended - started).TotalMilliseconds : double.NaN));
                _generation = -1;
                _suspendStarted = 0;
                break;
        }
    }

    private void Sample()
    {
        while (!_stopped)
        {
            var pending = ThreadPool.PendingWorkItemCount;
            Interlocked.Increment(ref _queueSamples);
            if (pending > 100) Interlocked.Increment(ref _queueSamplesOver100);
            if (pending > Interlocked.Read(ref _maxQueue)) Interlocked.Exchange(ref _maxQueue, pending);
            Thread.Sleep(10);
        }
    }

    /// <summary>Summarises what happened since the last cut and starts a new phase.</summary>
    public string Cut(string phase)
    {
        var gcs = new List<(int Generation, int Reason, double PauseMs, double SuspendMs)>();
        while (_gcs.TryDequeue(out var gc)) gcs.Add(gc);
        var samples = Interlocked.Exchange(ref _queueSamples, 0);
        var over = Interlocked.Exchange(ref _queueSamplesOver100, 0);
        var max = Interlocked.Exchange(ref _maxQueue, 0);
        var byGen = string.Join(", ", Enumerable.Range(0, 3).Select(g =>
        {
            var of = gcs.Where(x => x.Generation == g).ToList();
            return of.Count == 0 ? $"gen{g} 0" : $"gen{g} {of.Count} (max {of.Max(x => x.PauseMs):F0} ms, total {of.Sum(x => x.PauseMs):F0} ms, of which suspending threads {of.Sum(x => x.SuspendMs):F0} ms)";
        }));
        var reasons = string.Join(" ", gcs.GroupBy(x => x.Reason).Select(g => $"{ReasonName(g.Key)}×{g.Count()}"));
        var large = string.Join(", ", _largeAllocations.ToArray().OrderByDescending(kv => kv.Value).Take(4).Select(kv => $"{kv.Key}×{kv.Value}"));
        _largeAllocations.Clear();
        // ToArray is the dictionary's own snapshot: LINQ over the live collection can race the event listener's adds.
        var smallSnapshot = _smallAllocations.ToArray();
        var smallTotal = smallSnapshot.Sum(kv => kv.Value);
        var small = string.Join(", ", smallSnapshot.OrderByDescending(kv => kv.Value).Take(10).Select(kv => $"{kv.Key}×{kv.Value}"));
        _smallAllocations.Clear();
        var survivors = new List<(int Generation, double PromotedMb)>();
        while (_promoted.TryDequeue(out var g)) survivors.Add(g);
        // Both queues hold this phase's GCs in order: each GC's pause beside what it copied.
        var perGc = survivors.Select((g, i) => $"gen{g.Generation} {g.PromotedMb:F1} MB" + (i < gcs.Count && gcs[i].Generation == g.Generation ? $" in {gcs[i].PauseMs:F0} ms" : ""));
        var copied = survivors.Count == 0 ? "" : $"\n  {phase}: promoted (survived and copied) per GC: {string.Join(", ", perGc)}";
        return $"{phase}: GCs {byGen}; reasons {(reasons.Length == 0 ? "-" : reasons)}; large-object allocation samples {(large.Length == 0 ? "-" : large)}; thread-pool queue max {max}, >100 items in {over} of {samples} samples (10 ms), {ThreadPool.ThreadCount} threads" +
               $"\n  {phase}: small-object allocation samples (one per ~100 KB): {smallTotal} in all; top {(small.Length == 0 ? "-" : small)}" + copied;
    }

    private static string ReasonName(int reason) => reason switch
    {
        0 => "alloc-small", 1 => "induced", 2 => "low-memory", 3 => "empty", 4 => "alloc-large", 5 => "oos-small", 6 => "oos-large",
        7 => "induced-not-forced", 8 => "stress", 9 => "low-memory-host", _ => $"reason{reason}",
    };

    public override void Dispose()
    {
        _stopped = true;
        _sampler.Join(1000);
        base.Dispose();
    }
}

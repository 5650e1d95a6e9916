using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Analytics.Events;
using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Analytics.Store;

/// <summary>
/// Takes events from any thread without waiting and writes them to the <see cref="EventStore"/> in batches on one
/// loop. A full queue drops the newest events and counts them (analytics must never slow a turn down); an event that
/// fails <see cref="EventCheck"/> is dropped and counted, and its fields are never logged.
/// </summary>
public sealed class EventWriter : IAsyncDisposable
{
    public const int DefaultCapacity = 200_000;
    /// <summary>Events per transaction: each commit pays five summary upserts and the sketches' writes, so bigger is cheaper per event.</summary>
    public const int MaxBatch = 16_384;
    /// <summary>How long a batch may wait to fill: one commit (and one log sync) a second under a trickle, not one per turn.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly EventStore _store;
    private readonly ILogger _logger;
    private readonly Channel<InteractionEvent> _queue;
    private readonly Task _loop;
    private long _stored, _duplicates, _rejected, _dropped, _enqueued, _handled;

    /// <summary>The writer thread's scheduling priority as applied ("nice +10" on Linux, else "default").</summary>
    public string Priority { get; private set; } = "default";

    /// <summary>Called on the writer loop with each batch as stored (the OpenTelemetry counters listen here).</summary>
    public Action<IReadOnlyList<InteractionEvent>>? Stored { get; set; }

    public EventWriter(EventStore store, ILogger logger, int capacity = DefaultCapacity)
    {
        _store = store;
        _logger = logger;
        _queue = Channel.CreateBounded<InteractionEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ =>
        {
            Interlocked.Increment(ref _dropped);
            Interlocked.Increment(ref _handled); // counted as enqueued by TryWrite: a flush must not wait for it
        });
        // Its own thread: DuckDB's calls block, and the turns' thread pool should not lend a thread for a commit.
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public EventStore Store => _store;
    public long StoredCount => Interlocked.Read(ref _stored);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(InteractionEvent e)
    {
        if (_queue.Writer.TryWrite(e)) Interlocked.Increment(ref _enqueued);
    }

    public void Enqueue(IEnumerable<InteractionEvent> events)
    {
        foreach (var e in events) Enqueue(e);
    }

    private volatile bool _flushRequested;
    private TaskCompletionSource _flushSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when everything enqueued before the call has been stored (or rejected).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _flushRequested = true;
        _flushSignal.TrySetResult();
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _handled) < target && !_loop.IsCompleted)
            await Task.Delay(5, cancellationToken);
    }

    private void Run()
    {
        // Analytics is best effort and never urgent: its commits yield the CPU to turns (see BackgroundThreadPriority).
        Priority = BackgroundThreadPriority.Lower();
        var batch = new List<InteractionEvent>(MaxBatch);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Each DuckDB commit syncs its log: under a trickle (the live engine) wait a moment for company.
            if (reader.Count < MaxBatch && !_flushRequested) Task.WhenAny(Task.Delay(Linger), _flushSignal.Task).GetAwaiter().GetResult();
            batch.Clear();
            var taken = 0;
            while (taken < MaxBatch && reader.TryRead(out var e))
            {
                taken++;
                if (EventCheck.Problem(e) is { } problem)
                {
                    Interlocked.Increment(ref _rejected);
                    _logger.LogWarning("Interaction event of kind {Kind} dropped: its {Field} is not allowed", e?.Kind, problem);
                    continue;
                }
                batch.Add(e);
            }
            try
            {
                var inserted = _store.Append(batch);
                Interlocked.Add(ref _stored, inserted);
                Interlocked.Add(ref _duplicates, batch.Count - inserted);
                if (inserted > 0) Stored?.Invoke(batch);
            }
            catch (Exception ex)
            {
                // The batch is lost, the loop lives: analytics is best effort, the conversation is not.
                Interlocked.Add(ref _dropped, batch.Count);
                _logger.LogError("Storing {Count} interaction events failed: {Error}", batch.Count, ex.Message);
            }
            Interlocked.Add(ref _handled, taken);
            if (_flushRequested && reader.Count == 0)
            {
                _flushRequested = false;
                _flushSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _flushRequested = true;
        _flushSignal.TrySetResult();
        _queue.Writer.TryComplete();
        // Polled rather than awaited: an await would run (or queue) this continuation from the writer's lowered thread,
        // and a thread-pool thread started from there would inherit its nice value.
        while (!_loop.IsCompleted) await Task.Delay(5);
        await _loop;
        _store.Checkpoint();
    }
}

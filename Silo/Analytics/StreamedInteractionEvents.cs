using System.Threading.Channels;
using Orleans.Runtime;
using Orleans.Streams;
using Switchboard.Grains.Analytics;
using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// How grains and channels publish in every role: <see cref="Publish"/> only puts the event on a bounded in-memory
/// queue (never waits, never throws; a full queue drops and counts), and a background loop sends the queue in batches
/// of up to <see cref="MaxBatch"/> events onto this process's stream of the <see cref="InteractionStreams.Provider"/>
/// provider (memory streams embedded, Event Hubs in production), which reaches the silo's store.
/// </summary>
public sealed class StreamedInteractionEvents(IClusterClient client, ILogger<StreamedInteractionEvents> logger)
    : BackgroundService, IInteractionEvents
{
    public const int Capacity = 100_000;
    public const int MaxBatch = 512;
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    private readonly Channel<InteractionEvent> _queue = Channel.CreateBounded<InteractionEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    // One stream per process: a gateway's events and a silo's own travel separately.
    private readonly string _streamKey = Environment.MachineName.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("n")[..12];
    private long _dropped, _sent;

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Sent => Interlocked.Read(ref _sent);

    public void Publish(InteractionEvent e)
    {
        if (e is null || !_queue.Writer.TryWrite(e)) Interlocked.Increment(ref _dropped);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        IAsyncStream<InteractionEvent[]>? stream = null;
        var batch = new List<InteractionEvent>(MaxBatch);
        try
        {
            // Not cancelled by the stop token: StopAsync completes the queue, so what was published is still sent.
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                // A short wait fills batches under a trickle: one stream message per ~100 ms instead of one per turn.
                if (reader.Count < MaxBatch) await Task.Delay(Linger, CancellationToken.None);
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var e)) batch.Add(e);
                try
                {
                    stream ??= client.GetStreamProvider(InteractionStreams.Provider)
                        .GetStream<InteractionEvent[]>(StreamId.Create(InteractionStreams.Namespace, _streamKey));
                    await stream.OnNextAsync([.. batch]);
                    Interlocked.Add(ref _sent, batch.Count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    logger.LogWarning("Sending {Count} interaction events failed: {Error}", batch.Count, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

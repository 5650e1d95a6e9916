using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Analytics;
using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// The silo's side of analytics: the DuckDB file in the data folder (<c>analytics.duckdb</c>), its batch writer (the
/// ingest grain's <see cref="IInteractionSink"/>), the metric queries, and the OpenTelemetry counters fed from what
/// was stored. Opened at start; closed (checkpointed) at stop, so figures survive a restart.
/// </summary>
public sealed class AnalyticsStore : IInteractionSink, IHostedService, IAsyncDisposable
{
    private readonly EventWriter _writer;
    private bool _disposed;

    public AnalyticsStore(string path, CostModel costs, InteractionMeters meters, ILogger<AnalyticsStore> logger)
    {
        Store = EventStore.Open(path);
        _writer = new EventWriter(Store, logger) { Stored = meters.Record };
        Queries = new MetricQueries(Store, costs);
    }

    public EventStore Store { get; }
    public MetricQueries Queries { get; }
    public EventWriter Writer => _writer;

    public void Accept(IReadOnlyList<InteractionEvent> events) => _writer.Enqueue(events);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// At stop: everything queued so far is stored and checkpointed, but the writer stays open: the silo, stopped after
    /// this service, may still publish while its grains finish; the container's dispose drains those too.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed) return;
        await _writer.FlushAsync(cancellationToken);
        Store.Checkpoint();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _writer.DisposeAsync();
        Store.Dispose();
    }
}

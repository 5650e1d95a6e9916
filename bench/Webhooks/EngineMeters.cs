using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// Listens, by meter name only, to the histograms the engine publishes under <c>Switchboard.*</c> (today
/// <c>switchboard.whatsapp.engine_turn</c>, in ms) and keeps count and mean per instrument.
/// Whatever the engine publishes is shown; nothing here depends on its types.
/// </summary>
public sealed class EngineMeters : IDisposable
{
    private sealed class Sum
    {
        public double Total;
        public long Count;
    }

    private readonly MeterListener _listener = new();
    private ConcurrentDictionary<string, Sum> _sums = new();

    public EngineMeters()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name.StartsWith("Switchboard", StringComparison.Ordinal) && instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Add(i, v));
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Add(i, v));
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Add(i, v));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value)
    {
        var sum = _sums.GetOrAdd($"{instrument.Name} ({instrument.Unit})", _ => new Sum());
        lock (sum)
        {
            sum.Total += value;
            sum.Count++;
        }
    }

    public void Reset() => _sums = new();

    public IEnumerable<(string Name, long Count, double Mean)> Snapshot() =>
        _sums.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Count, kv.Value.Count == 0 ? double.NaN : kv.Value.Total / kv.Value.Count));

    public void Dispose() => _listener.Dispose();
}

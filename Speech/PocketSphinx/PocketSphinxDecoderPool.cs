using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>
/// Decoders are expensive to load (~0.5 s) and cheap to reuse, so utterances rent one and give it back.
/// At most <see cref="PocketSphinxOptions.MaxDecoders"/> exist; a renter beyond that waits for a return.
/// </summary>
internal sealed class PocketSphinxDecoderPool : IDisposable
{
    private readonly PocketSphinxOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentBag<PocketSphinxDecoder> _idle = [];
    private readonly SemaphoreSlim _slots;
    private int _loaded;
    private bool _disposed;

    public PocketSphinxDecoderPool(PocketSphinxOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxDecoders));
    }

    public int Loaded => Volatile.Read(ref _loaded);

    public int Idle => _idle.Count;

    /// <summary>Interpolated open-turn searches kept by the idle decoders, all told.</summary>
    public int InterpolatedSearches => _idle.Sum(d => d.InterpolatedSearches);

    /// <summary>Generic-model reads by the idle decoders (time, reads).</summary>
    public (TimeSpan Total, int Reads) GenericModelLoads =>
        _idle.Aggregate((Total: TimeSpan.Zero, Reads: 0), (a, d) => (a.Total + d.GenericModelLoadTime, a.Reads + d.GenericModelReads));

    /// <summary>Loads decoders until <paramref name="count"/> exist (bounded by the maximum).</summary>
    public void Warm(int count)
    {
        while (Loaded < Math.Min(count, _options.MaxDecoders)) _idle.Add(Load());
    }

    public async ValueTask<PocketSphinxDecoder> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_idle.TryTake(out var decoder)) return decoder;
            return await Task.Run(Load, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public void Return(PocketSphinxDecoder decoder, bool healthy)
    {
        if (healthy && !_disposed) _idle.Add(decoder);
        else
        {
            decoder.Dispose();
            Interlocked.Decrement(ref _loaded);
        }
        _slots.Release();
    }

    private PocketSphinxDecoder Load()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var decoder = PocketSphinxDecoder.Load(_options);
        var n = Interlocked.Increment(ref _loaded);
        _logger.LogInformation("pocketsphinx decoder {Count} loaded in {Ms:F0} ms", n, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return decoder;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var d)) d.Dispose();
    }
}

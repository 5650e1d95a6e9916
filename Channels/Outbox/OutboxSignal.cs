using System.Collections.Concurrent;

namespace Switchboard.Channels.Outbox;

/// <summary>Tells the dispatcher which shards just got work, so a reply leaves at once instead of at the next poll.</summary>
public sealed class OutboxSignal
{
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake(string shardKey)
    {
        _dirty[shardKey] = 0;
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        try
        {
            await _wake.WaitAsync(ct).WaitAsync(timeout, time, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public List<string> TakeDirty()
    {
        var keys = _dirty.Keys.ToList();
        foreach (var k in keys) _dirty.TryRemove(k, out _);
        return keys;
    }
}

using System.Collections.Concurrent;
using System.Net;

namespace Switchboard.Silo.Security;

/// <summary>
/// Slows key guessing: an address that presented <see cref="Limit"/> wrong admin keys within <see cref="Window"/>
/// is refused (429, Retry-After) until the window that began with its first failure has passed, without its key
/// being checked, so a guess made while refused teaches nothing. Section <c>Admin:FailedKeys</c>.
/// </summary>
public sealed class FailedKeyThrottle(TimeProvider time, int limit = 10, TimeSpan? window = null)
{
    // Bounded memory under a spray from many addresses: past this many tracked addresses, expired ones are dropped first.
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<IPAddress, Failures> _byAddress = new();

    public int Limit { get; } = limit;
    public TimeSpan Window { get; } = window ?? TimeSpan.FromMinutes(1);

    public static FailedKeyThrottle FromConfiguration(IConfiguration config, TimeProvider time) =>
        new(time, config.GetValue("Admin:FailedKeys:Limit", 10), config.GetValue("Admin:FailedKeys:Window", TimeSpan.FromMinutes(1)));

    /// <summary>How long <paramref name="address"/> stays refused; null when it may try a key.</summary>
    public TimeSpan? RefusedFor(IPAddress? address)
    {
        if (address is null || !_byAddress.TryGetValue(address, out var f)) return null;
        lock (f)
        {
            var left = f.Start + Window - time.GetUtcNow();
            return f.Count >= Limit && left > TimeSpan.Zero ? left : null;
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        if (address is null) return;
        var now = time.GetUtcNow();
        if (_byAddress.Count >= MaxTracked) Forget(now);
        var f = _byAddress.GetOrAdd(address, _ => new Failures { Start = now });
        lock (f)
        {
            if (now - f.Start >= Window)
            {
                f.Start = now;
                f.Count = 0;
            }
            f.Count++;
        }
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (address, f) in _byAddress)
            if (now - f.Start >= Window) _byAddress.TryRemove(address, out _);
    }

    private sealed class Failures
    {
        public DateTimeOffset Start;
        public int Count;
    }
}

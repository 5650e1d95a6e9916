using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.Channels.WebChat;

/// <summary>
/// Per-visitor limits shared by all of a visitor's sockets in this process: frames per minute (a token bucket that refills
/// continuously, so a steady typist never meets it) and sockets open at once. Keyed by the visitor cookie, so opening more
/// sockets buys no more frames. The same two limits per browser address (<see cref="WebChatClientAddress"/>), over all
/// its visitors, so inventing more visitor cookies buys no more either. All are <see cref="PartitionedRateLimiter"/>s from
/// the shared framework; an idle partition is dropped. Each gateway process keeps its own counts (a visitor's socket is
/// pinned to one).
/// </summary>
public sealed class WebChatVisitorLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _frames;
    private readonly PartitionedRateLimiter<string> _sockets;
    private readonly PartitionedRateLimiter<string> _addressFrames;
    private readonly PartitionedRateLimiter<string> _addressSockets;
    private readonly ILogger _logger;
    private long _addressRefusals;

    public WebChatVisitorLimits(WebChatOptions options, ILogger<WebChatVisitorLimits>? logger = null)
    {
        _logger = logger ?? NullLogger<WebChatVisitorLimits>.Instance;
        _frames = FramesPerMinute(options.MaxFramesPerMinute);
        _sockets = SocketsAtOnce(options.MaxSocketsPerVisitor);
        _addressFrames = FramesPerMinute(options.PerAddress.MaxFramesPerMinute);
        _addressSockets = SocketsAtOnce(options.PerAddress.MaxSockets);
    }

    /// <summary>
    /// One frame from <paramref name="visitor"/> at <paramref name="address"/> (a <see cref="WebChatClientAddress"/> key;
    /// null is not counted); false when the visitor, or its address, is past its rate.
    /// </summary>
    public bool TryFrame(string visitor, string? address)
    {
        using var lease = _frames.AttemptAcquire(visitor);
        if (!lease.IsAcquired) return false;
        if (address is null) return true;
        using var byAddress = _addressFrames.AttemptAcquire(address);
        if (!byAddress.IsAcquired) RefusedByAddress();
        return byAddress.IsAcquired;
    }

    /// <summary>Frames and sockets refused by a per-address limit since start (all addresses together).</summary>
    public long AddressRefusals => Interlocked.Read(ref _addressRefusals);

    /// <summary>
    /// The first refusal says so once, for the operator: many visitors behind one address is the usual cause, and a
    /// reverse proxy not listed in Admin:TrustedProxies makes every visitor one address. The address is not logged.
    /// </summary>
    private void RefusedByAddress()
    {
        if (Interlocked.Increment(ref _addressRefusals) != 1) return;
        _logger.LogWarning("Web chat refused a browser address past WebChat:PerAddress limits (logged once). If every visitor arrives through a reverse proxy, list it in Admin:TrustedProxies; if many people share one address, raise WebChat:PerAddress:MaxFramesPerMinute or MaxSockets.");
    }

    /// <summary>
    /// A socket for <paramref name="visitor"/> at <paramref name="address"/>, held until the lease is disposed; null when
    /// the visitor, or its address, already has the most allowed (<paramref name="addressFull"/> says which).
    /// </summary>
    public IDisposable? TryOpenSocket(string visitor, string? address, out bool addressFull)
    {
        addressFull = false;
        var lease = _sockets.AttemptAcquire(visitor);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }
        if (address is null) return lease;
        var byAddress = _addressSockets.AttemptAcquire(address);
        if (byAddress.IsAcquired) return new Both(lease, byAddress);
        byAddress.Dispose();
        lease.Dispose();
        addressFull = true;
        RefusedByAddress();
        return null;
    }

    private static PartitionedRateLimiter<string> FramesPerMinute(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 12),
            ReplenishmentPeriod = TimeSpan.FromSeconds(5),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private static PartitionedRateLimiter<string> SocketsAtOnce(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = 0,
        }));

    private sealed class Both(RateLimitLease visitor, RateLimitLease address) : IDisposable
    {
        public void Dispose()
        {
            address.Dispose();
            visitor.Dispose();
        }
    }

    public void Dispose()
    {
        _frames.Dispose();
        _sockets.Dispose();
        _addressFrames.Dispose();
        _addressSockets.Dispose();
    }
}

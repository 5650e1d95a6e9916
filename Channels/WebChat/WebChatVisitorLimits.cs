using System.Threading.RateLimiting;

namespace Switchboard.Channels.WebChat;

/// <summary>
/// Per-visitor limits shared by all of a visitor's sockets in this process: frames per minute (a token bucket that refills
/// continuously, so a steady typist never meets it) and sockets open at once. Keyed by the visitor cookie, so opening more
/// sockets buys no more frames. Both are <see cref="PartitionedRateLimiter"/>s from the shared framework; a visitor's
/// partition is dropped once idle. Each gateway process keeps its own counts (a visitor's socket is pinned to one).
/// </summary>
public sealed class WebChatVisitorLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _frames;
    private readonly PartitionedRateLimiter<string> _sockets;

    public WebChatVisitorLimits(WebChatOptions options)
    {
        _frames = PartitionedRateLimiter.Create<string, string>(visitor => RateLimitPartition.GetTokenBucketLimiter(visitor, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.MaxFramesPerMinute,
            TokensPerPeriod = Math.Max(1, options.MaxFramesPerMinute / 12),
            ReplenishmentPeriod = TimeSpan.FromSeconds(5),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _sockets = PartitionedRateLimiter.Create<string, string>(visitor => RateLimitPartition.GetConcurrencyLimiter(visitor, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxSocketsPerVisitor,
            QueueLimit = 0,
        }));
    }

    /// <summary>One frame from <paramref name="visitor"/>; false when the visitor is past its rate on all its sockets together.</summary>
    public bool TryFrame(string visitor)
    {
        using var lease = _frames.AttemptAcquire(visitor);
        return lease.IsAcquired;
    }

    /// <summary>A socket for <paramref name="visitor"/>, held until the lease is disposed; null when it already has the most allowed.</summary>
    public IDisposable? TryOpenSocket(string visitor)
    {
        var lease = _sockets.AttemptAcquire(visitor);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose()
    {
        _frames.Dispose();
        _sockets.Dispose();
    }
}

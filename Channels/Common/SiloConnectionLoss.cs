namespace Switchboard.Channels.Common;

/// <summary>
/// Tells a gateway's turn calls that one of its connections to a silo closed. A call sent through a connection that closed
/// will never be answered (its silo died or left), yet the Orleans client (10.4) keeps waiting for it until the call's
/// response timeout; it does not fail the calls outstanding on a lost gateway connection. <see cref="Token"/> is cancelled
/// at every loss, so a call that captured it before it was sent can stop waiting and be sent again (see
/// <see cref="TurnCalls"/>). The gateway's Orleans client signals it (<c>Silo/Hosting/SiloConnectionObserver</c>); in a
/// process that hosts the grains itself nothing signals it.
/// </summary>
public sealed class SiloConnectionLoss
{
    private CancellationTokenSource _current = new();
    private long _losses;

    /// <summary>Cancelled at the next loss of a silo connection; capture it before sending a call.</summary>
    public CancellationToken Token => Volatile.Read(ref _current).Token;

    /// <summary>Silo connections lost since the start.</summary>
    public long Losses => Interlocked.Read(ref _losses);

    /// <summary>A silo connection closed: calls waiting on the current token stop waiting; later calls get a fresh token.</summary>
    public void Signal()
    {
        Interlocked.Increment(ref _losses);
        // Not disposed: a caller may still be reading the old token (a source without a timer holds nothing to release).
        Interlocked.Exchange(ref _current, new CancellationTokenSource()).Cancel();
    }
}

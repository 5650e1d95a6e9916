using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2): the request, where it came from, and the last response, which a retransmitted
/// request gets again.
/// </summary>
public abstract class ServerTransaction(string key, SipMessage request, SipPeer peer)
{
    public string Key { get; } = key;
    /// <summary>
    /// The request, until the final response is sent: after that only the response is repeated, so the parsed request
    /// is let go rather than kept (and copied by the GC) for the 32 s the transaction lingers.
    /// </summary>
    public SipMessage? Request { get; private set; } = request;
    public SipPeer Peer { get; } = peer;
    public byte[]? LastResponse { get; private set; }
    public int LastStatus { get; private set; }
    internal ITimer? Cleanup { get; set; }

    /// <summary>Records and sends a response.</summary>
    internal void Send(SipTransactions layer, byte[] response, int status)
    {
        LastResponse = response;
        LastStatus = status;
        if (status >= 200) Request = null;
        layer.Send(Peer, response);
    }

    internal virtual void Stop() => Cleanup?.Dispose();
}

/// <summary>Non-INVITE server transaction: the final response is kept for retransmitted requests until timer J.</summary>
public sealed class ServerNonInviteTransaction(string key, SipMessage request, SipPeer peer) : ServerTransaction(key, request, peer)
{
    /// <summary>Timer J: 64·T1 on UDP; on a reliable transport a short grace for a request racing its response.</summary>
    public TimeSpan Lifetime => Peer.Reliable ? TimeSpan.FromSeconds(1) : Retransmitter.Timeout;
}

/// <summary>
/// INVITE server transaction: provisional and final responses; a non-2xx final is retransmitted (timer G) until the ACK
/// (timer H gives up), after which it lingers for timer I. A 2xx ends it; the dialog retransmits the 2xx.
/// </summary>
public sealed class ServerInviteTransaction(string key, SipMessage request, SipPeer peer) : ServerTransaction(key, request, peer)
{
    /// <summary>The dialog this INVITE created or re-negotiates; null for an INVITE refused before a dialog existed.</summary>
    public SipDialog? Dialog { get; init; }
    internal Retransmitter? Retransmitter { get; set; }

    /// <summary>Timer I: how long an acknowledged non-2xx final response absorbs stray ACKs.</summary>
    public TimeSpan AckedLifetime => Peer.Reliable ? TimeSpan.Zero : Retransmitter.T4;

    internal override void Stop()
    {
        base.Stop();
        Retransmitter?.Stop();
    }
}

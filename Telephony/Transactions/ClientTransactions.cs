using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Transactions;

/// <summary>What a client transaction tells the layer above it (the call handling that sent the request).</summary>
public interface IClientTransactionUser
{
    /// <summary>A 1xx arrived.</summary>
    void OnProvisional(SipMessage response) { }

    /// <summary>The final response; the transaction is over.</summary>
    void OnFinal(SipMessage response);

    /// <summary>No final response within 64·T1 (timer B or F): a 408 in effect.</summary>
    void OnTimeout();
}

/// <summary>A request whose outcome nobody waits for (BYE, CANCEL).</summary>
public sealed class IgnoredOutcome : IClientTransactionUser
{
    public static readonly IgnoredOutcome Instance = new();

    public void OnFinal(SipMessage response) { }

    public void OnTimeout() { }
}

/// <summary>A client transaction (RFC 3261 §17.1): the request as sent, retransmitted on unreliable transports until answered.</summary>
public abstract class ClientTransaction(string key, string method, byte[] request, SipPeer peer, IClientTransactionUser user)
{
    public string Key { get; } = key;
    public string Method { get; } = method;
    public byte[] Request { get; } = request;
    public SipPeer Peer { get; } = peer;
    public IClientTransactionUser User { get; } = user;
    internal Retransmitter? Retransmitter { get; set; }

    /// <summary>Timer A doubles without a cap; timer E is capped at T2.</summary>
    internal abstract bool CapAtT2 { get; }

    /// <summary>Whether a provisional response stops retransmission (timer A stops; timer E goes on at T2).</summary>
    internal abstract bool ProvisionalStopsRetransmission { get; }
}

/// <summary>INVITE client transaction: timer A (T1 doubling) until a response, timer B (64·T1) for the final one.</summary>
public sealed class ClientInviteTransaction(string key, byte[] request, SipPeer peer, IClientTransactionUser user)
    : ClientTransaction(key, "INVITE", request, peer, user)
{
    internal override bool CapAtT2 => false;

    internal override bool ProvisionalStopsRetransmission => true;
}

/// <summary>Non-INVITE client transaction: timer E (T1 doubling, capped at T2), timer F (64·T1).</summary>
public sealed class ClientNonInviteTransaction(string key, string method, byte[] request, SipPeer peer, IClientTransactionUser user)
    : ClientTransaction(key, method, request, peer, user)
{
    internal override bool CapAtT2 => true;

    // The original behaviour kept retransmitting non-INVITE requests after a 1xx; so does RFC 3261 (at T2).
    internal override bool ProvisionalStopsRetransmission => false;
}

using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Transactions;

/// <summary>
/// The transaction layer (RFC 3261 §17): matches requests and responses to transactions by branch and method, absorbs
/// retransmitted requests, runs the retransmission timers and sends through the transports. Callers hold
/// <see cref="Gate"/>; timer callbacks take it themselves.
/// </summary>
public sealed class SipTransactions(Lock gate, TimeProvider time)
{
    private readonly Dictionary<string, ServerTransaction> _server = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClientTransaction> _client = new(StringComparer.Ordinal);
    private ISipSender? _sender;

    /// <summary>The signaling lock every layer shares.</summary>
    public Lock Gate { get; } = gate;

    public TimeProvider Time { get; } = time;

    /// <summary>Retransmitted requests absorbed (not thread-exact; for tests and benchmark output).</summary>
    public long Retransmissions { get; private set; }

    public void Attach(ISipSender sender) => _sender = sender;

    public static string Key(string branch, string method) => branch + "|" + method;

    public void Send(SipPeer peer, byte[] message) => _sender?.Send(peer, message);

    // ---------------------------------------------------------------- server side

    /// <summary>A retransmitted request: repeat the last response of its transaction (RFC 3261 §17.2). True when absorbed.</summary>
    public bool AbsorbRetransmission(SipMessage request, string branch)
    {
        if (!_server.TryGetValue(Key(branch, request.Method!), out var existing)) return false;
        Retransmissions++;
        if (existing.LastResponse is not null) Send(existing.Peer, existing.LastResponse);
        return true;
    }

    public ServerInviteTransaction? FindInvite(string branch) =>
        _server.TryGetValue(Key(branch, "INVITE"), out var tx) ? tx as ServerInviteTransaction : null;

    public ServerInviteTransaction? FindInviteByKey(string key) => _server.TryGetValue(key, out var tx) ? tx as ServerInviteTransaction : null;

    /// <summary>Opens the INVITE server transaction of a call (an initial INVITE or a re-INVITE).</summary>
    public ServerInviteTransaction OpenInvite(SipMessage invite, SipPeer from, string branch, SipDialog dialog)
    {
        var tx = new ServerInviteTransaction(Key(branch, "INVITE"), invite, from) { Dialog = dialog };
        _server[tx.Key] = tx;
        return tx;
    }

    /// <summary>Sends a response within a transaction; a retransmitted request gets it again.</summary>
    public void Reply(ServerTransaction tx, byte[] response, int status) => tx.Send(this, response, status);

    /// <summary>A non-2xx final response to an INVITE, retransmitted (timer G) until the ACK or timer H.</summary>
    public void RejectInvite(ServerInviteTransaction tx, byte[] response, int status)
    {
        tx.Send(this, response, status);
        tx.Retransmitter = new Retransmitter(Time, () => Send(tx.Peer, response), () =>
        {
            lock (Gate) _server.Remove(tx.Key);
        }, capAtT2: true, retransmit: !tx.Peer.Reliable);
    }

    /// <summary>Answers a request in a transaction of its own (final responses outside a call's INVITE transaction).</summary>
    public void Respond(SipPeer to, SipMessage request, int status, string reason, string? toTag = null, IEnumerable<SipHeader>? extra = null,
        string? contentType = null, byte[]? body = null)
    {
        var response = SipWriter.Response(request, status, reason, to, toTag, extra, contentType, body);
        var key = Key(request.TopBranch ?? "", request.Method!);
        if (request.Method == "INVITE")
        {
            var tx = new ServerInviteTransaction(key, request, to);
            _server[key] = tx;
            if (status >= 300) RejectInvite(tx, response, status);
            else
            {
                tx.Send(this, response, status);
                ScheduleRemoval(tx, to.Reliable ? TimeSpan.FromSeconds(1) : Retransmitter.Timeout);
            }
            return;
        }
        var nonInvite = new ServerNonInviteTransaction(key, request, to);
        _server[key] = nonInvite;
        nonInvite.Send(this, response, status);
        ScheduleRemoval(nonInvite, nonInvite.Lifetime);
    }

    /// <summary>An ACK for a non-2xx final response belongs to the INVITE transaction (same branch). True when it did.</summary>
    public bool AcknowledgeRejection(string branch)
    {
        if (FindInvite(branch) is not { LastStatus: >= 300 } tx) return false;
        tx.Retransmitter?.Stop();
        ScheduleRemoval(tx, tx.AckedLifetime);
        return true;
    }

    public void ScheduleRemoval(ServerTransaction tx, TimeSpan after)
    {
        tx.Cleanup?.Dispose();
        tx.Cleanup = Time.CreateTimer(_ =>
        {
            lock (Gate)
                if (_server.TryGetValue(tx.Key, out var current) && ReferenceEquals(current, tx))
                    _server.Remove(tx.Key);
            if (tx is ServerInviteTransaction invite) invite.Retransmitter?.Stop();
        }, null, after, Timeout.InfiniteTimeSpan);
    }

    // ---------------------------------------------------------------- client side

    /// <summary>Sends a request in a new client transaction; the user hears of its provisional and final responses or its timeout.</summary>
    public void Start(ClientTransaction tx)
    {
        _client[tx.Key] = tx;
        Send(tx.Peer, tx.Request);
        tx.Retransmitter = new Retransmitter(Time, () => Send(tx.Peer, tx.Request), () =>
        {
            lock (Gate)
            {
                if (!_client.Remove(tx.Key)) return;
                tx.User.OnTimeout();
            }
        }, capAtT2: tx.CapAtT2, retransmit: !tx.Peer.Reliable);
    }

    /// <summary>Delivers a response to its client transaction; false when none matches (a stray or retransmitted final).</summary>
    public bool OnResponse(SipMessage response)
    {
        var key = Key(response.TopBranch ?? "", response.CSeqMethod);
        if (!_client.TryGetValue(key, out var tx)) return false;
        if (response.StatusCode < 200)
        {
            if (tx.ProvisionalStopsRetransmission) tx.Retransmitter?.Stop();
            tx.User.OnProvisional(response);
            return true;
        }
        tx.Retransmitter?.Stop();
        _client.Remove(key);
        tx.User.OnFinal(response);
        return true;
    }
}

using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Dialogs;

/// <summary>
/// The dialog layer (RFC 3261 §12–13): the table of calls by Call-ID, matching in-dialog requests by tags, building
/// in-dialog requests (route set, CSeq, Contact), and the 2xx-until-ACK retransmission that belongs to the dialog
/// rather than the INVITE transaction. <typeparamref name="TDialog"/> is the call handler's call. Callers hold the signaling lock.
/// </summary>
public sealed class SipDialogs<TDialog>(string advertisedHost, int port, SipTransactions transactions) where TDialog : SipDialog
{
    private readonly Dictionary<string, TDialog> _calls = new(StringComparer.Ordinal);

    /// <summary>The bound SIP port, for Via and Contact.</summary>
    public int LocalPort { get; set; } = port;

    /// <summary>The bound SIP-over-TLS port, when TLS is on.</summary>
    public int TlsPort { get; set; }

    public string LocalHostPort => $"{advertisedHost}:{LocalPort}";

    /// <summary>Our host:port as a peer on that transport reaches us (the TLS port for TLS peers).</summary>
    public string HostPortFor(SipPeer peer) => peer.Secure ? $"{advertisedHost}:{TlsPort}" : LocalHostPort;

    public int Count => _calls.Count;

    public IReadOnlyList<string> CallIds => [.. _calls.Keys];

    public IReadOnlyList<TDialog> Calls => [.. _calls.Values];

    public bool Contains(string callId) => _calls.ContainsKey(callId);

    public bool TryGet(string callId, out TDialog call) => _calls.TryGetValue(callId, out call!);

    public void Add(TDialog call) => _calls[call.CallId] = call;

    public void Remove(TDialog call) => _calls.Remove(call.CallId);

    /// <summary>The call an in-dialog request belongs to (same Call-ID and tags), or null (481).</summary>
    public TDialog? Match(SipMessage request) =>
        _calls.TryGetValue(request.CallId, out var call) && SameDialog(call, request) ? call : null;

    private static bool SameDialog(TDialog call, SipMessage request) =>
        request.ToTag == call.LocalTag && (call.RemoteTag is null || request.FromTag == call.RemoteTag);

    public string ContactHeader(SipPeer peer) => peer.Transport switch
    {
        SipTransportKind.Tcp => $"<sip:switchboard@{LocalHostPort};transport=tcp>",
        SipTransportKind.Tls => $"<sip:switchboard@{HostPortFor(peer)};transport=tls>",
        _ => $"<sip:switchboard@{LocalHostPort}>",
    };

    public SipHeader[] AnswerHeaders(SipPeer peer, IEnumerable<SipHeader>? extra = null) =>
    [
        new SipHeader("Contact", ContactHeader(peer)), new SipHeader("Allow", SipWriter.Allow), new SipHeader("Supported", SipWriter.Supported),
        .. extra ?? [],
    ];

    /// <summary>Via, Max-Forwards, Route set, From, To, Call-ID, CSeq and Contact of a request inside the call's dialog.</summary>
    public List<SipHeader> Headers(TDialog call, string method, string branch, long cseq)
    {
        var headers = new List<SipHeader>
        {
            new(SipHeaderNames.Via, $"SIP/2.0/{call.Peer.ViaTransport} {HostPortFor(call.Peer)};branch={branch};rport"),
            new(SipHeaderNames.MaxForwards, "70"),
        };
        foreach (var route in call.RouteSet) headers.Add(new SipHeader(SipHeaderNames.Route, route));
        headers.Add(new(SipHeaderNames.From, call.LocalParty));
        headers.Add(new(SipHeaderNames.To, call.RemoteParty));
        headers.Add(new(SipHeaderNames.CallId, call.CallId));
        headers.Add(new(SipHeaderNames.CSeq, $"{cseq} {method}"));
        headers.Add(new(SipHeaderNames.Contact, ContactHeader(call.Peer)));
        return headers;
    }

    /// <summary>Sends a non-INVITE request in the dialog (next local CSeq) in a client transaction of its own.</summary>
    public void SendRequest(TDialog call, string method, IClientTransactionUser user, IEnumerable<SipHeader>? extra = null)
    {
        var branch = SipWriter.NewBranch();
        var cseq = ++call.LocalCSeq;
        var headers = Headers(call, method, branch, cseq);
        if (extra is not null) headers.AddRange(extra);
        var request = SipWriter.Request(method, call.RemoteTarget, headers);
        transactions.Start(new ClientNonInviteTransaction(SipTransactions.Key(branch, method), method, request, call.Peer, user));
    }

    /// <summary>
    /// RFC 3261 §13.3.1.4: our 2xx to an INVITE is retransmitted (T1 doubling to T2) until its ACK;
    /// <paramref name="noAck"/> runs under the lock after 64·T1 without one.
    /// </summary>
    public void RetransmitOkUntilAck(TDialog call, byte[] ok, long cseq, Action<TDialog> noAck)
    {
        call.OkRetransmitter?.Stop();
        call.PendingAckCSeq = cseq;
        call.OkRetransmitter = new Retransmitter(transactions.Time, () => transactions.Send(call.Peer, ok), () =>
        {
            lock (transactions.Gate)
            {
                if (call.PendingAckCSeq != cseq || call.State == CallState.Ended) return;
                noAck(call);
            }
        }, capAtT2: true, retransmit: !call.Peer.Reliable);
    }

    /// <summary>The ACK for our 2xx: stops its retransmission and returns the call, or null when it acknowledges nothing pending.</summary>
    public TDialog? Acknowledge(SipMessage ack)
    {
        if (!_calls.TryGetValue(ack.CallId, out var call) || ack.CSeqNumber != call.PendingAckCSeq) return null;
        call.OkRetransmitter?.Stop();
        call.PendingAckCSeq = -1;
        return call;
    }
}

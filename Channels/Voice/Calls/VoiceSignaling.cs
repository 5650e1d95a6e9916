using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Rtp;
using Switchboard.Channels.Voice.Sdp;
using Switchboard.Channels.Voice.Security;
using Switchboard.Channels.Voice.Sip;
using Switchboard.Channels.Voice.Transport;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Tenancy;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The SIP user agent (UAS and UAC): server and client transactions with their retransmission timers, dialogs, and
/// the call lifecycle (INVITE/ACK/CANCEL/BYE/re-INVITE/OPTIONS/REFER/NOTIFY/INFO). Transports feed it parsed bytes;
/// it owns no socket of its own. All state changes happen under one lock; engine work runs on each call's queue.
/// </summary>
public sealed class VoiceSignaling : IVoiceCalls, IAsyncDisposable
{
    private readonly VoiceOptions _options;
    private readonly TrunkGuard _guard;
    private readonly RtpPortPool _ports;
    private readonly MediaPacer _pacer;
    private readonly TenantDirectory _tenants;
    private readonly CallConversationServices _conversations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IPAddress _mediaAddress;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServerTransaction> _serverTransactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClientTransaction> _clientTransactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VoiceCall> _calls = new(StringComparer.Ordinal);
    private ISipSender? _sender;
    private int _localPort;

    public VoiceSignaling(VoiceOptions options, TrunkGuard guard, RtpPortPool ports, MediaPacer pacer, TenantDirectory tenants,
        CallConversationServices conversations, TimeProvider time, ILogger<VoiceSignaling> logger)
    {
        _options = options;
        _guard = guard;
        _ports = ports;
        _pacer = pacer;
        _tenants = tenants;
        _conversations = conversations;
        _time = time;
        _logger = logger;
        _mediaAddress = IPAddress.Parse(options.Advertised);
        _localPort = options.Port;
    }

    public int ActiveCalls
    {
        get { lock (_lock) return _calls.Count; }
    }

    public IReadOnlyList<string> CallIds
    {
        get { lock (_lock) return [.. _calls.Keys]; }
    }

    /// <summary>The state of a call, or null once it is gone.</summary>
    public CallState? StateOf(string callId)
    {
        lock (_lock) return _calls.TryGetValue(callId, out var call) ? call.State : null;
    }

    /// <summary>Counts of what happened, for tests and the benchmark.</summary>
    public SignalingCounters Counters { get; } = new();

    /// <summary>Connects the transports; <paramref name="localPort"/> is the bound SIP port (for Via and Contact).</summary>
    public void Attach(ISipSender sender, int localPort)
    {
        _sender = sender;
        _localPort = localPort;
    }

    private string LocalHostPort => $"{_options.Advertised}:{_localPort}";

    private string ContactHeader(SipPeer peer) =>
        peer.Transport == SipTransportKind.Tcp ? $"<sip:switchboard@{LocalHostPort};transport=tcp>" : $"<sip:switchboard@{LocalHostPort}>";

    // ---------------------------------------------------------------- inbound

    /// <summary>Handles one message (a datagram, or one framed message from a stream).</summary>
    public void OnMessage(SipPeer from, ReadOnlySpan<byte> data, bool stream = false)
    {
        // The address check comes first and costs nothing; a blocked source's request is still parsed once for its 403.
        var parsed = SipParser.Parse(data, stream);
        if (!parsed.Ok)
        {
            Counters.Malformed++;
            if (parsed.Message is { IsRequest: true } bad && bad.Method != "ACK")
                Send(from, SipWriter.Response(bad, 400, parsed.Reason, from));
            return;
        }
        var message = parsed.Message!;
        if (!message.IsRequest)
        {
            OnResponse(from, message);
            return;
        }
        if (message.Method != "ACK")
        {
            var decision = _guard.Check(from.EndPoint.Address, message);
            if (decision != TrunkDecision.Allowed)
            {
                Counters.Rejected++;
                if (decision == TrunkDecision.Challenge)
                    Send(from, SipWriter.Response(message, 401, "Unauthorized", from, SipWriter.NewTag(),
                        _guard.Digest!.Challenges().Select(c => new SipHeader("WWW-Authenticate", c))));
                else
                    Send(from, SipWriter.Response(message, 403, "Forbidden", from, SipWriter.NewTag()));
                return;
            }
        }
        lock (_lock) OnRequest(from, message);
    }

    private void OnRequest(SipPeer from, SipMessage request)
    {
        var method = request.Method!;
        var branch = request.TopBranch ?? "";
        if (method == "ACK")
        {
            OnAck(request, branch);
            return;
        }
        // A retransmitted request: repeat the last response of its transaction (RFC 3261 §17.2).
        if (_serverTransactions.TryGetValue(TransactionKey(branch, method), out var existing))
        {
            Counters.Retransmissions++;
            if (existing.LastResponse is not null) Send(existing.Peer, existing.LastResponse);
            return;
        }
        if (method == "CANCEL")
        {
            OnCancel(from, request, branch);
            return;
        }
        if (request.Header(SipHeaderNames.MaxForwards) is { } mf && (!int.TryParse(mf, out var hops) || hops <= 0))
        {
            Respond(from, request, hops <= 0 && int.TryParse(mf, out _) ? 483 : 400, hops <= 0 && int.TryParse(mf, out _) ? "Too Many Hops" : "Bad Max-Forwards");
            return;
        }
        var require = request.HeaderValues(SipHeaderNames.Require).Concat(request.HeaderValues(SipHeaderNames.ProxyRequire))
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (require.Count > 0)
        {
            Respond(from, request, 420, "Bad Extension", extra: [new SipHeader("Unsupported", string.Join(", ", require))]);
            return;
        }
        switch (method)
        {
            case "INVITE" when request.ToTag is null:
                OnInvite(from, request, branch);
                break;
            case "INVITE":
                OnReInvite(from, request, branch);
                break;
            case "BYE":
                OnBye(from, request);
                break;
            case "OPTIONS":
                Respond(from, request, 200, "OK", toTag: request.ToTag is null ? SipWriter.NewTag() : null, extra:
                [
                    new SipHeader("Allow", SipWriter.Allow), new SipHeader("Accept", "application/sdp"),
                    new SipHeader("Supported", ""), new SipHeader("Contact", ContactHeader(from)),
                ]);
                break;
            case "NOTIFY":
                OnNotify(from, request);
                break;
            case "INFO":
                OnInfo(from, request);
                break;
            default:
                Respond(from, request, 405, "Method Not Allowed", toTag: SipWriter.NewTag(), extra: [new SipHeader("Allow", SipWriter.Allow)]);
                break;
        }
    }

    private void OnInvite(SipPeer from, SipMessage invite, string branch)
    {
        Counters.Invites++;
        var callId = invite.CallId;
        if (_calls.ContainsKey(callId))
        {
            Respond(from, invite, 482, "Loop Detected", toTag: SipWriter.NewTag());
            return;
        }
        if (invite.Body.Length == 0)
        {
            Respond(from, invite, 488, "Not Acceptable Here", toTag: SipWriter.NewTag(),
                extra: [new SipHeader("Warning", "399 switchboard \"An SDP offer is required in the INVITE\"")]);
            return;
        }
        if (invite.ContentType is { } ct && !ct.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            Respond(from, invite, 415, "Unsupported Media Type", toTag: SipWriter.NewTag(), extra: [new SipHeader("Accept", "application/sdp")]);
            return;
        }
        if (!SessionDescription.TryParse(invite.Body.Span, out var offer))
        {
            Respond(from, invite, 400, "Bad SDP", toTag: SipWriter.NewTag());
            return;
        }
        if (MediaNegotiation.Negotiate(offer!) is not { } negotiated)
        {
            Respond(from, invite, 488, "Not Acceptable Here", toTag: SipWriter.NewTag(),
                extra: [new SipHeader("Warning", "305 switchboard \"Only PCMU/PCMA over RTP/AVP\""), new SipHeader("Accept", "application/sdp")]);
            return;
        }
        if (_calls.Count >= _options.MaxCalls || _ports.Rent() is not { } pair)
        {
            Respond(from, invite, 503, "Service Unavailable", toTag: SipWriter.NewTag(), extra: [new SipHeader("Retry-After", "5")]);
            return;
        }
        var requestUser = NameAddr.User(invite.RequestUri!);
        var tenant = _tenants.ForEndpoint(TenantEndpoint.SipNumber, requestUser);
        var call = new VoiceCall
        {
            CallId = callId,
            LocalTag = SipWriter.NewTag(),
            Outbound = false,
            Tenant = tenant.Id,
            RemoteTag = invite.FromTag,
            LocalParty = invite.To,
            RemoteParty = invite.From,
            RemoteTarget = invite.Header(SipHeaderNames.Contact) is { } contact ? NameAddr.Uri(contact) : NameAddr.Uri(invite.From),
            RouteSet = invite.HeaderValues(SipHeaderNames.RecordRoute).ToList(),
            Peer = from,
            RemoteCSeq = invite.CSeqNumber,
            Invite = invite,
            Offer = offer,
            Negotiated = negotiated,
            SdpSessionId = RandomNumberGenerator.GetInt32(int.MaxValue),
            State = CallState.Ringing,
        };
        call.LocalParty += ";tag=" + call.LocalTag;
        var remote = new IPEndPoint(ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort);
        var port = pair.Port;
        call.Media = new RtpSession(pair.Rtp, pair.Rtcp, port, remote, negotiated.Codec, negotiated.TelephoneEventPayloadType, () => _ports.Return(port))
        {
            Sending = negotiated.WeSend,
        };
        call.LastAnswerBody = MediaNegotiation.Answer(offer!, negotiated, _options.Advertised, port, call.SdpSessionId, call.SdpVersion);
        var tx = new ServerTransaction(TransactionKey(branch, "INVITE"), invite, from, Invite: true) { Call = call };
        _serverTransactions[tx.Key] = tx;
        call.InviteTransactionKey = tx.Key;
        _calls[callId] = call;
        _logger.LogInformation("Incoming call {CallRef} for tenant {Tenant} ({Codec})", CallReference.For(callId), tenant.Id, negotiated.Codec);

        if (_options.AnswerDelayMs > 0)
        {
            SendTx(tx, SipWriter.Response(invite, 100, "Trying", from), 100);
            SendTx(tx, SipWriter.Response(invite, 180, "Ringing", from, call.LocalTag, [new SipHeader("Contact", ContactHeader(from))], copyRecordRoute: true), 180);
            call.AnswerTimer = _time.CreateTimer(_ =>
            {
                lock (_lock) Answer(call, tx);
            }, null, TimeSpan.FromMilliseconds(_options.AnswerDelayMs), Timeout.InfiniteTimeSpan);
        }
        else Answer(call, tx);
    }

    private void Answer(VoiceCall call, ServerTransaction tx)
    {
        if (call.State != CallState.Ringing) return;
        call.AnswerTimer?.Dispose();
        var ok = SipWriter.Response(call.Invite!, 200, "OK", tx.Peer, call.LocalTag, AnswerHeaders(tx.Peer), "application/sdp", call.LastAnswerBody, copyRecordRoute: true);
        SendTx(tx, ok, 200);
        call.State = CallState.Answered;
        StartMedia(call);
        RetransmitOkUntilAck(call, ok, call.Invite!.CSeqNumber);
        ScheduleRemoval(tx, Retransmitter.Timeout);
        Counters.Answered++;
    }

    private SipHeader[] AnswerHeaders(SipPeer peer) =>
    [
        new SipHeader("Contact", ContactHeader(peer)), new SipHeader("Allow", SipWriter.Allow), new SipHeader("Supported", ""),
    ];

    private void RetransmitOkUntilAck(VoiceCall call, byte[] ok, long cseq)
    {
        call.OkRetransmitter?.Stop();
        call.PendingAckCSeq = cseq;
        call.OkRetransmitter = new Retransmitter(_time, () => Send(call.Peer, ok), () =>
        {
            // No ACK within 64·T1: the RFC says confirm and end the dialog with BYE.
            lock (_lock)
            {
                if (call.PendingAckCSeq != cseq || call.State == CallState.Ended) return;
                _logger.LogWarning("No ACK for call {CallRef}; hanging up", CallReference.For(call.CallId));
                SendBye(call);
            }
        }, capAtT2: true, retransmit: !call.Peer.Reliable);
    }

    private void OnAck(SipMessage ack, string branch)
    {
        // ACK for a non-2xx final response belongs to the INVITE transaction (same branch).
        if (_serverTransactions.TryGetValue(TransactionKey(branch, "INVITE"), out var tx) && tx.LastStatus >= 300)
        {
            tx.Retransmitter?.Stop();
            ScheduleRemoval(tx, tx.Peer.Reliable ? TimeSpan.Zero : Retransmitter.T4);
            return;
        }
        if (!_calls.TryGetValue(ack.CallId, out var call) || ack.CSeqNumber != call.PendingAckCSeq) return;
        call.OkRetransmitter?.Stop();
        call.PendingAckCSeq = -1;
        if (call.State == CallState.Answered)
        {
            call.State = CallState.Established;
            StartConversation(call, VoiceTurns.CallStart);
        }
    }

    private void OnCancel(SipPeer from, SipMessage cancel, string branch)
    {
        if (!_serverTransactions.TryGetValue(TransactionKey(branch, "INVITE"), out var inviteTx))
        {
            Respond(from, cancel, 481, "Call/Transaction Does Not Exist", toTag: SipWriter.NewTag());
            return;
        }
        var call = inviteTx.Call;
        Respond(from, cancel, 200, "OK", toTag: call?.LocalTag ?? SipWriter.NewTag());
        if (call is null || call.State != CallState.Ringing) return; // already answered or refused: the CANCEL has no effect
        Counters.Cancelled++;
        var terminated = SipWriter.Response(call.Invite!, 487, "Request Terminated", inviteTx.Peer, call.LocalTag);
        SendTx(inviteTx, terminated, 487);
        inviteTx.Retransmitter = new Retransmitter(_time, () => Send(inviteTx.Peer, terminated), () =>
        {
            lock (_lock) _serverTransactions.Remove(inviteTx.Key);
        }, capAtT2: true, retransmit: !inviteTx.Peer.Reliable);
        EndCall(call, "cancelled");
    }

    private void OnBye(SipPeer from, SipMessage bye)
    {
        if (!_calls.TryGetValue(bye.CallId, out var call) || !SameDialog(call, bye))
        {
            Respond(from, bye, 481, "Call/Transaction Does Not Exist", toTag: bye.ToTag is null ? SipWriter.NewTag() : null);
            return;
        }
        Respond(from, bye, 200, "OK");
        if (call.State == CallState.Ringing && call.InviteTransactionKey is { } key && _serverTransactions.TryGetValue(key, out var tx))
            SendTx(tx, SipWriter.Response(call.Invite!, 487, "Request Terminated", tx.Peer, call.LocalTag), 487);
        Counters.RemoteHangups++;
        EndCall(call, "remote hang-up");
    }

    private void OnReInvite(SipPeer from, SipMessage invite, string branch)
    {
        if (!_calls.TryGetValue(invite.CallId, out var call) || !SameDialog(call, invite))
        {
            Respond(from, invite, 481, "Call/Transaction Does Not Exist");
            return;
        }
        if (call.PendingAckCSeq >= 0 || call.State is CallState.Ringing)
        {
            // RFC 3261 §14.2: an earlier INVITE is still open.
            Respond(from, invite, 500, "Server Internal Error", extra: [new SipHeader("Retry-After", "1")]);
            return;
        }
        if (invite.CSeqNumber <= call.RemoteCSeq)
        {
            Respond(from, invite, 500, "Server Internal Error", extra: [new SipHeader("Retry-After", "1")]);
            return;
        }
        call.RemoteCSeq = invite.CSeqNumber;
        var tx = new ServerTransaction(TransactionKey(branch, "INVITE"), invite, from, Invite: true) { Call = call };
        _serverTransactions[tx.Key] = tx;
        ScheduleRemoval(tx, Retransmitter.Timeout);
        byte[] body;
        if (invite.Body.Length == 0)
        {
            // An offerless re-INVITE: offer what we have (the ACK would carry the answer; we keep our current media).
            body = call.LastAnswerBody!;
        }
        else
        {
            if (!SessionDescription.TryParse(invite.Body.Span, out var offer) || MediaNegotiation.Negotiate(offer!) is not { } negotiated)
            {
                SendTx(tx, SipWriter.Response(invite, 488, "Not Acceptable Here", from), 488);
                return;
            }
            var remote = new IPEndPoint(ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort);
            call.Media!.Update(remote, negotiated.Codec, negotiated.TelephoneEventPayloadType, negotiated.WeSend);
            call.Negotiated = negotiated;
            call.Offer = offer;
            var answer = MediaNegotiation.Answer(offer!, negotiated, _options.Advertised, call.Media.LocalPort, call.SdpSessionId, call.SdpVersion);
            if (!SameSdpIgnoringOrigin(answer, call.LastAnswerBody!))
            {
                call.SdpVersion++;
                answer = MediaNegotiation.Answer(offer!, negotiated, _options.Advertised, call.Media.LocalPort, call.SdpSessionId, call.SdpVersion);
            }
            call.LastAnswerBody = answer;
            body = answer;
            _logger.LogInformation("Call {CallRef} re-INVITE: {State}", CallReference.For(call.CallId), negotiated.RemoteOnHold ? "held" : "active");
            Counters.ReInvites++;
        }
        if (invite.Header(SipHeaderNames.Contact) is { } contact) call.RemoteTarget = NameAddr.Uri(contact);
        var ok = SipWriter.Response(invite, 200, "OK", from, call.LocalTag, AnswerHeaders(from), "application/sdp", body);
        SendTx(tx, ok, 200);
        RetransmitOkUntilAck(call, ok, invite.CSeqNumber);
    }

    private void OnNotify(SipPeer from, SipMessage notify)
    {
        if (!_calls.TryGetValue(notify.CallId, out var call) || !SameDialog(call, notify))
        {
            Respond(from, notify, 481, "Call/Transaction Does Not Exist");
            return;
        }
        Respond(from, notify, 200, "OK");
        // RFC 3515: the sipfrag reports the transfer's progress; a final 2xx means the caller reached the agent.
        var frag = Encoding.UTF8.GetString(notify.Body.Span);
        if (!call.TransferPending || !frag.StartsWith("SIP/2.0 ", StringComparison.Ordinal) || frag.Length < 11
            || !int.TryParse(frag.AsSpan(8, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 200)
            return;
        call.TransferPending = false;
        if (status < 300)
        {
            Counters.Transfers++;
            SendBye(call);
            return;
        }
        // The agent's side failed (busy, no answer, declined): the caller is still with us.
        _logger.LogInformation("Transfer of call {CallRef} failed at the agent's side ({Status})", CallReference.For(call.CallId), status);
        call.Conversation?.TransferFailed();
    }

    private void OnInfo(SipPeer from, SipMessage info)
    {
        if (!_calls.TryGetValue(info.CallId, out var call) || !SameDialog(call, info))
        {
            Respond(from, info, 481, "Call/Transaction Does Not Exist");
            return;
        }
        Respond(from, info, 200, "OK");
        // SIP INFO DTMF (application/dtmf-relay "Signal=5"), as some SBCs send it instead of RFC 4733.
        if (info.ContentType?.StartsWith("application/dtmf-relay", StringComparison.OrdinalIgnoreCase) == true)
        {
            foreach (var line in Encoding.UTF8.GetString(info.Body.Span).Split('\n'))
            {
                var l = line.Trim();
                if (l.StartsWith("Signal=", StringComparison.OrdinalIgnoreCase) && l.Length > 7)
                    call.Media?.InjectDigit(l[7]);
            }
        }
    }

    // ---------------------------------------------------------------- responses (UAC)

    private void OnResponse(SipPeer from, SipMessage response)
    {
        lock (_lock)
        {
            var key = TransactionKey(response.TopBranch ?? "", response.CSeqMethod);
            if (!_clientTransactions.TryGetValue(key, out var tx))
            {
                // A retransmitted 2xx to our INVITE after the transaction ended: repeat the ACK.
                if (response.CSeqMethod == "INVITE" && response.StatusCode is >= 200 and < 300
                    && _calls.TryGetValue(response.CallId, out var c) && c.AckForOk is { } ack)
                    Send(c.Peer, ack);
                return;
            }
            if (response.StatusCode < 200)
            {
                if (tx.Method == "INVITE") tx.Retransmitter?.Stop(); // timer A stops on a provisional response
                tx.OnProvisional?.Invoke(response);
                return;
            }
            tx.Retransmitter?.Stop();
            _clientTransactions.Remove(key);
            tx.OnFinal(response);
        }
    }

    private void SendRequest(ClientTransaction tx)
    {
        _clientTransactions[tx.Key] = tx;
        Send(tx.Peer, tx.Request);
        tx.Retransmitter = new Retransmitter(_time, () => Send(tx.Peer, tx.Request), () =>
        {
            lock (_lock)
            {
                if (!_clientTransactions.Remove(tx.Key)) return;
                tx.OnTimeout();
            }
        }, capAtT2: tx.Method != "INVITE", retransmit: !tx.Peer.Reliable);
    }

    private List<SipHeader> DialogHeaders(VoiceCall call, string method, string branch, long cseq)
    {
        var headers = new List<SipHeader>
        {
            new(SipHeaderNames.Via, $"SIP/2.0/{call.Peer.ViaTransport} {LocalHostPort};branch={branch};rport"),
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

    private void SendBye(VoiceCall call)
    {
        if (call.State == CallState.Ended) return;
        var branch = SipWriter.NewBranch();
        var cseq = ++call.LocalCSeq;
        var bye = SipWriter.Request("BYE", call.RemoteTarget, DialogHeaders(call, "BYE", branch, cseq));
        SendRequest(new ClientTransaction(TransactionKey(branch, "BYE"), "BYE", bye, call.Peer, _ => { }, () => { }));
        Counters.LocalHangups++;
        EndCall(call, "local hang-up");
    }

    public Task<bool> HangUpAsync(string callId)
    {
        lock (_lock)
        {
            if (!_calls.TryGetValue(callId, out var call)) return Task.FromResult(false);
            if (call.State == CallState.Ringing && !call.Outbound && call.InviteTransactionKey is { } key && _serverTransactions.TryGetValue(key, out var tx))
            {
                SendTx(tx, SipWriter.Response(call.Invite!, 480, "Temporarily Unavailable", tx.Peer, call.LocalTag), 480);
                EndCall(call, "declined");
            }
            else if (call.State == CallState.Ringing && call.Outbound && call.OutboundInvite is { } invite)
            {
                // RFC 3261 §9.1: CANCEL copies the INVITE's Request-URI, top Via, Call-ID, From, To and CSeq number.
                var headers = new List<SipHeader>
                {
                    new(SipHeaderNames.Via, invite.Via),
                    new(SipHeaderNames.MaxForwards, "70"),
                    new(SipHeaderNames.From, call.LocalParty),
                    new(SipHeaderNames.To, $"<{invite.RequestUri}>"),
                    new(SipHeaderNames.CallId, call.CallId),
                    new(SipHeaderNames.CSeq, $"{call.LocalCSeq} CANCEL"),
                };
                var cancel = SipWriter.Request("CANCEL", invite.RequestUri, headers);
                SendRequest(new ClientTransaction(TransactionKey(invite.Branch, "CANCEL"), "CANCEL", cancel, call.Peer, _ => { }, () => { }));
                // The 487 that follows completes the INVITE transaction (ACK, end of call, result).
            }
            else SendBye(call);
            return Task.FromResult(true);
        }
    }

    public Task<bool> TransferAsync(string callId, string? targetUri = null)
    {
        var target = targetUri ?? _options.AgentUri;
        if (string.IsNullOrWhiteSpace(target)) throw new InvalidOperationException("No transfer target: set Sip:AgentUri or give a target.");
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!_calls.TryGetValue(callId, out var call) || call.State != CallState.Established) return Task.FromResult(false);
            var branch = SipWriter.NewBranch();
            var cseq = ++call.LocalCSeq;
            var headers = DialogHeaders(call, "REFER", branch, cseq);
            headers.Add(new SipHeader(SipHeaderNames.ReferTo, target.StartsWith('<') ? target : $"<{target}>"));
            headers.Add(new SipHeader("Referred-By", $"<sip:switchboard@{LocalHostPort}>"));
            var refer = SipWriter.Request("REFER", call.RemoteTarget, headers);
            call.TransferPending = true;
            _logger.LogInformation("Transferring call {CallRef}", CallReference.For(callId));
            SendRequest(new ClientTransaction(TransactionKey(branch, "REFER"), "REFER", refer, call.Peer,
                r =>
                {
                    if (r.StatusCode >= 300) call.TransferPending = false;
                    done.TrySetResult(r.StatusCode is >= 200 and < 300);
                },
                () =>
                {
                    call.TransferPending = false;
                    done.TrySetResult(false);
                }));
        }
        return done.Task;
    }

    public async Task<OutboundCallResult> PlaceCallAsync(string number, string? tenant = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(_options.SbcAddress)) throw new InvalidOperationException("Outbound calls need Sip:SbcAddress (host:port).");
        if (!NameAddr.TryHostPort("sip:" + _options.SbcAddress, out var host, out var sbcPort)) throw new InvalidOperationException("Sip:SbcAddress is not host:port.");
        var e164 = AddressNormalizer.ToE164(number, _tenants.FindOrDefault(tenant)?.DefaultRegion ?? "IN");
        var address = IPAddress.TryParse(host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(host, cancellationToken))[0];
        var peer = new SipPeer(SipTransportKind.Udp, new IPEndPoint(address, sbcPort));
        var tenantId = (_tenants.FindOrDefault(tenant) ?? _tenants.Default).Id;
        var result = new TaskCompletionSource<OutboundCallResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "@" + _options.Advertised;
        lock (_lock)
        {
            if (_ports.Rent() is not { } pair) return new OutboundCallResult(callId, 503, "No RTP port free");
            var requestUri = $"sip:{e164}@{_options.SbcAddress}";
            var call = new VoiceCall
            {
                CallId = callId,
                LocalTag = SipWriter.NewTag(),
                Outbound = true,
                Tenant = tenantId,
                LocalParty = "",
                RemoteParty = $"<{requestUri}>",
                RemoteTarget = requestUri,
                Peer = peer,
                SdpSessionId = RandomNumberGenerator.GetInt32(int.MaxValue),
                State = CallState.Ringing,
                OutboundResult = result,
            };
            call.LocalParty = $"<sip:{_options.OutboundCallerId}@{_options.Advertised}>;tag={call.LocalTag}";
            var port = pair.Port;
            call.Media = new RtpSession(pair.Rtp, pair.Rtcp, port, new IPEndPoint(address, 9), Codecs.AudioCodec.Pcmu,
                MediaNegotiation.DefaultTelephoneEventPayloadType, () => _ports.Return(port)) { Sending = false };
            var offer = MediaNegotiation.Offer(_options.Advertised, port, call.SdpSessionId);
            var branch = SipWriter.NewBranch();
            var headers = DialogHeaders(call, "INVITE", branch, call.LocalCSeq);
            headers.Add(new SipHeader("Allow", SipWriter.Allow));
            var invite = SipWriter.Request("INVITE", requestUri, headers, "application/sdp", offer);
            call.OutboundInvite = new OutboundInvite(requestUri, branch, headers[0].Value);
            _calls[callId] = call;
            Counters.OutboundAttempts++;
            SendRequest(new ClientTransaction(TransactionKey(branch, "INVITE"), "INVITE", invite, peer,
                r => OnOutboundFinal(call, r, branch, requestUri, e164),
                () =>
                {
                    EndCall(call, "no answer");
                    result.TrySetResult(new OutboundCallResult(callId, 408, "Request Timeout"));
                },
                r =>
                {
                    if (r.ToTag is { } tag) call.RemoteTag = tag;
                }));
        }
        await using var cancel = cancellationToken.Register(() => _ = HangUpAsync(callId));
        return await result.Task;
    }

    private void OnOutboundFinal(VoiceCall call, SipMessage response, string branch, string requestUri, string e164)
    {
        if (response.StatusCode >= 300)
        {
            // Non-2xx: the ACK is part of the INVITE transaction (same branch, same Request-URI).
            var headers = new List<SipHeader>
            {
                new(SipHeaderNames.Via, $"SIP/2.0/UDP {LocalHostPort};branch={branch};rport"),
                new(SipHeaderNames.MaxForwards, "70"),
                new(SipHeaderNames.From, call.LocalParty),
                new(SipHeaderNames.To, response.To),
                new(SipHeaderNames.CallId, call.CallId),
                new(SipHeaderNames.CSeq, $"{call.LocalCSeq} ACK"),
            };
            Send(call.Peer, SipWriter.Request("ACK", requestUri, headers));
            EndCall(call, $"outbound {response.StatusCode}");
            call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, response.StatusCode, response.ReasonPhrase ?? ""));
            return;
        }
        call.RemoteTag = response.ToTag;
        call.RemoteParty = response.To;
        if (response.Header(SipHeaderNames.Contact) is { } contact) call.RemoteTarget = NameAddr.Uri(contact);
        call.RouteSet = response.HeaderValues(SipHeaderNames.RecordRoute).Reverse().ToList();
        var ackHeaders = DialogHeaders(call, "ACK", SipWriter.NewBranch(), call.LocalCSeq);
        call.AckForOk = SipWriter.Request("ACK", call.RemoteTarget, ackHeaders);
        Send(call.Peer, call.AckForOk);
        if (SessionDescription.TryParse(response.Body.Span, out var answer) && MediaNegotiation.Negotiate(answer!) is { } negotiated)
        {
            call.Negotiated = negotiated;
            call.Media!.Update(new IPEndPoint(ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort), negotiated.Codec,
                negotiated.TelephoneEventPayloadType, negotiated.WeSend);
        }
        else
        {
            _logger.LogWarning("Outbound call {CallRef} answered without usable SDP; hanging up", CallReference.For(call.CallId));
            call.State = CallState.Established;
            SendBye(call);
            call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, 488, "No usable SDP answer"));
            return;
        }
        call.State = CallState.Established;
        StartMedia(call);
        StartConversation(call, VoiceTurns.OutboundAnswered, new ChannelAddress(AddressKind.Phone, e164));
        call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, response.StatusCode, response.ReasonPhrase ?? "OK"));
    }

    // ---------------------------------------------------------------- call lifecycle

    private void StartMedia(VoiceCall call)
    {
        call.Media!.Start();
        _pacer.Add(call.Media);
    }

    private void StartConversation(VoiceCall call, Grains.Interfaces.Conversation.TurnPayload marker, ChannelAddress? address = null)
    {
        var tenant = _tenants.Find(call.Tenant) ?? _tenants.Default;
        var caller = address ?? CallerAddress(call, tenant.DefaultRegion);
        var conversation = new CallConversation(call.CallId, call.Tenant, caller, marker, call.Media!, _conversations,
            () => HangUpAsync(call.CallId), target => TransferAsync(call.CallId, target), call.Outbound)
        {
            SessionToken = call.Invite is { } invite ? SessionTokenOf(invite) : null,
        };
        call.Conversation = conversation;
        conversation.Start();
    }

    /// <summary>
    /// A session token from the WhatsApp escalation: the <c>X-Switchboard-Token</c> header, or a <c>token</c> parameter on
    /// the Request-URI (what a "call us" SIP link can carry).
    /// </summary>
    private static string? SessionTokenOf(SipMessage invite)
    {
        if (invite.Header(SessionTokenHeader) is { Length: > 0 and <= 512 } header) return header.Trim();
        var uri = invite.RequestUri!;
        var at = uri.IndexOf('@');
        foreach (var part in uri[(at < 0 ? 0 : at)..].Split(';').Skip(1))
            if (part.StartsWith("token=", StringComparison.OrdinalIgnoreCase) && part.Length is > 6 and <= 518) return Uri.UnescapeDataString(part[6..]);
        return null;
    }

    public const string SessionTokenHeader = "X-Switchboard-Token";

    /// <summary>P-Asserted-Identity, else From; a phone number in E.164 when it is one, otherwise the call is anonymous (keyed by Call-ID).</summary>
    private static ChannelAddress CallerAddress(VoiceCall call, string region)
    {
        var invite = call.Invite!;
        foreach (var candidate in invite.HeaderValues(SipHeaderNames.PAssertedIdentity).Append(invite.From))
        {
            var uri = NameAddr.Uri(candidate);
            var user = NameAddr.User(uri);
            if (user.Length == 0 || user.Equals("anonymous", StringComparison.OrdinalIgnoreCase)) continue;
            try
            {
                return new ChannelAddress(AddressKind.Phone, AddressNormalizer.ToE164(uri, region));
            }
            catch (InvalidAddressException) { }
        }
        return new ChannelAddress(AddressKind.SipCallId, call.CallId);
    }

    private void EndCall(VoiceCall call, string why)
    {
        if (call.State == CallState.Ended) return;
        call.State = CallState.Ended;
        call.AnswerTimer?.Dispose();
        call.OkRetransmitter?.Stop();
        _calls.Remove(call.CallId);
        var media = call.Media;
        var conversation = call.Conversation;
        if (media is not null) _pacer.Remove(media);
        _logger.LogInformation("Call {CallRef} ended: {Reason}", CallReference.For(call.CallId), why);
        // Disposal waits for loops to stop: never on the signaling lock or inside the call's own turn.
        _ = Task.Run(async () =>
        {
            if (conversation is not null) await conversation.DisposeAsync();
            if (media is not null) await media.DisposeAsync();
        });
    }

    // ---------------------------------------------------------------- helpers

    private static string TransactionKey(string branch, string method) => branch + "|" + method;

    private static bool SameDialog(VoiceCall call, SipMessage request) =>
        request.ToTag == call.LocalTag && (call.RemoteTag is null || request.FromTag == call.RemoteTag);

    private static bool SameSdpIgnoringOrigin(byte[] a, byte[] b)
    {
        static string Strip(byte[] x) => string.Join("\n", Encoding.ASCII.GetString(x).Split('\n').Where(l => !l.StartsWith("o=", StringComparison.Ordinal)));
        return Strip(a) == Strip(b);
    }

    private IPAddress ParseOrLoopback(string address) =>
        IPAddress.TryParse(address, out var ip) && !ip.Equals(IPAddress.Any) ? ip : _mediaAddress;

    private void Respond(SipPeer to, SipMessage request, int status, string reason, string? toTag = null, IEnumerable<SipHeader>? extra = null)
    {
        var response = SipWriter.Response(request, status, reason, to, toTag, extra);
        var tx = new ServerTransaction(TransactionKey(request.TopBranch ?? "", request.Method!), request, to, Invite: request.Method == "INVITE")
        {
            LastResponse = response,
            LastStatus = status,
        };
        _serverTransactions[tx.Key] = tx;
        Send(to, response);
        if (tx.Invite && status >= 300)
            tx.Retransmitter = new Retransmitter(_time, () => Send(to, response), () =>
            {
                lock (_lock) _serverTransactions.Remove(tx.Key);
            }, capAtT2: true, retransmit: !to.Reliable);
        else ScheduleRemoval(tx, to.Reliable ? TimeSpan.FromSeconds(1) : Retransmitter.Timeout);
    }

    private void SendTx(ServerTransaction tx, byte[] response, int status)
    {
        tx.LastResponse = response;
        tx.LastStatus = status;
        Send(tx.Peer, response);
    }

    private void ScheduleRemoval(ServerTransaction tx, TimeSpan after)
    {
        tx.Cleanup?.Dispose();
        tx.Cleanup = _time.CreateTimer(_ =>
        {
            lock (_lock)
                if (_serverTransactions.TryGetValue(tx.Key, out var current) && ReferenceEquals(current, tx))
                    _serverTransactions.Remove(tx.Key);
            tx.Retransmitter?.Stop();
        }, null, after, Timeout.InfiniteTimeSpan);
    }

    private void Send(SipPeer peer, byte[] message) => _sender?.Send(peer, message);

    public async ValueTask DisposeAsync()
    {
        List<VoiceCall> calls;
        lock (_lock) calls = [.. _calls.Values];
        foreach (var call in calls)
            lock (_lock)
                if (call.State is CallState.Established or CallState.Answered) SendBye(call);
                else EndCall(call, "shutdown");
        await Task.CompletedTask;
    }

    private sealed record ServerTransaction(string Key, SipMessage Request, SipPeer Peer, bool Invite)
    {
        public byte[]? LastResponse { get; set; }
        public int LastStatus { get; set; }
        public Retransmitter? Retransmitter { get; set; }
        public ITimer? Cleanup { get; set; }
        public VoiceCall? Call { get; init; }
    }

    private sealed record ClientTransaction(string Key, string Method, byte[] Request, SipPeer Peer, Action<SipMessage> OnFinal, Action OnTimeout,
        Action<SipMessage>? OnProvisional = null)
    {
        public Retransmitter? Retransmitter { get; set; }
    }
}

/// <summary>Plain counters (not thread-exact; for tests and benchmark output).</summary>
public sealed class SignalingCounters
{
    public long Invites;
    public long Answered;
    public long Cancelled;
    public long ReInvites;
    public long RemoteHangups;
    public long LocalHangups;
    public long Transfers;
    public long OutboundAttempts;
    public long Malformed;
    public long Rejected;
    public long Retransmissions;
}

using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Security;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The SIP user agent's front door: transports feed it parsed bytes; it checks the trunk, absorbs retransmissions
/// through the transaction layer, and routes each request to inbound call handling, transfer or the dialog-less answers
/// (OPTIONS, 405, 420, 483), and each response to its client transaction. It owns no socket. The layers share one lock;
/// engine work runs on each call's queue.
/// </summary>
public sealed class VoiceSignaling : IVoiceCalls, ICallControl, IAsyncDisposable
{
    private readonly TrunkGuard _guard;
    private readonly Lock _lock = new();
    private readonly SipTransactions _transactions;
    private readonly SipDialogs<VoiceCall> _dialogs;
    private readonly CallLifecycle _lifecycle;
    private readonly InboundCalls _inbound;
    private readonly ReliableProvisionals _provisionals;
    private readonly OutboundCalls _outbound;
    private readonly CallTransfer _transfer;

    public VoiceSignaling(VoiceOptions options, TrunkGuard guard, RtpPortPool ports, MediaPacer pacer, TenantDirectory tenants,
        CallConversationServices conversations, TimeProvider time, ILogger<VoiceSignaling> logger,
        System.Threading.RateLimiting.RateLimiter? admission = null)
    {
        _guard = guard;
        _transactions = new SipTransactions(_lock, time);
        _dialogs = new SipDialogs<VoiceCall>(options.Advertised, options.Port, _transactions);
        var refresh = new SessionRefresh(_dialogs, logger);
        var sessionTimers = new SessionTimers<VoiceCall>(options.SessionExpiresSeconds, options.MinSessionExpiresSeconds, time, _lock, refresh);
        _lifecycle = new CallLifecycle(options, _dialogs, pacer, tenants, conversations, this, sessionTimers, Counters, logger);
        refresh.Attach(_lifecycle, sessionTimers);
        _provisionals = new ReliableProvisionals(_transactions, _dialogs);
        _inbound = new InboundCalls(options, _transactions, _dialogs, _lifecycle, sessionTimers, _provisionals, ports, tenants, guard, Counters, logger, admission)
        {
            Probe = () => InviteAnswered,
        };
        _outbound = new OutboundCalls(options, _transactions, _dialogs, _lifecycle, ports, tenants, Counters, logger);
        _transfer = new CallTransfer(options, _transactions, _dialogs, _lifecycle, Counters, logger);
    }

    public const string SessionTokenHeader = "X-Switchboard-Token";

    public int ActiveCalls
    {
        get { lock (_lock) return _dialogs.Count; }
    }

    public IReadOnlyList<string> CallIds
    {
        get { lock (_lock) return _dialogs.CallIds; }
    }

    /// <summary>The state of a call, or null once it is gone.</summary>
    public CallState? StateOf(string callId)
    {
        lock (_lock) return _dialogs.TryGet(callId, out var call) ? call.State : null;
    }

    /// <summary>Counts of what happened, for tests and the benchmark.</summary>
    public SignalingCounters Counters { get; } = new();

    /// <summary>
    /// Diagnostics for the benchmark: called (under the signaling lock, so it must be quick) when an initial INVITE is
    /// answered, with <see cref="System.Diagnostics.Stopwatch"/> timestamps of its arrival at the signaling layer, of the
    /// signaling lock being taken for it, of the 200 having been handed to the transport and of the answer's follow-up done.
    /// </summary>
    public InviteAnsweredProbe? InviteAnswered { get; set; }

    /// <summary>Connects the transports; the bound SIP (UDP/TCP) and TLS ports go in Via and Contact.</summary>
    public void Attach(ISipSender sender, int localPort, int tlsPort = 0)
    {
        _transactions.Attach(sender);
        _dialogs.LocalPort = localPort;
        _dialogs.TlsPort = tlsPort;
    }

    /// <summary>Handles one message (a datagram, or one framed message from a stream).</summary>
    public void OnMessage(SipPeer from, ReadOnlySpan<byte> data, bool stream = false)
    {
        var arrived = InviteAnswered is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        // The address check comes first and costs nothing; a blocked source's request is still parsed once for its 403.
        var parsed = SipParser.Parse(data, stream);
        if (!parsed.Ok)
        {
            Counters.Malformed++;
            if (parsed.Message is { IsRequest: true } bad && bad.Method != "ACK")
                _transactions.Send(from, SipWriter.Response(bad, 400, parsed.Reason, from));
            return;
        }
        var message = parsed.Message!;
        if (!message.IsRequest)
        {
            lock (_lock)
                if (!_transactions.OnResponse(message)) _outbound.OnStrayResponse(message);
            return;
        }
        if (message.Method != "ACK")
        {
            var decision = _guard.Check(from.EndPoint.Address, message);
            if (decision != TrunkDecision.Allowed)
            {
                Counters.Rejected++;
                if (decision == TrunkDecision.Challenge)
                    _transactions.Send(from, SipWriter.Response(message, 401, "Unauthorized", from, SipWriter.NewTag(),
                        _guard.Digest!.Challenges().Select(c => new SipHeader("WWW-Authenticate", c))));
                else
                    _transactions.Send(from, SipWriter.Response(message, 403, "Forbidden", from, SipWriter.NewTag()));
                return;
            }
        }
        lock (_lock)
        {
            if (arrived != 0) _inbound.Arrived = (arrived, System.Diagnostics.Stopwatch.GetTimestamp());
            OnRequest(from, message);
        }
    }

    private void OnRequest(SipPeer from, SipMessage request)
    {
        var method = request.Method!;
        var branch = request.TopBranch ?? "";
        if (method == "ACK")
        {
            _inbound.OnAck(request, branch);
            return;
        }
        if (_transactions.AbsorbRetransmission(request, branch)) return;
        if (method == "CANCEL")
        {
            _inbound.OnCancel(from, request, branch);
            return;
        }
        if (request.Header(SipHeaderNames.MaxForwards) is { } mf && (!int.TryParse(mf, out var hops) || hops <= 0))
        {
            var tooMany = int.TryParse(mf, out _);
            _transactions.Respond(from, request, tooMany ? 483 : 400, tooMany ? "Too Many Hops" : "Bad Max-Forwards");
            return;
        }
        // Session timers (RFC 4028) and 100rel (RFC 3262) are supported; any other required extension gets 420.
        var require = request.HeaderValues(SipHeaderNames.Require).Concat(request.HeaderValues(SipHeaderNames.ProxyRequire))
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(t => !t.Equals("timer", StringComparison.OrdinalIgnoreCase) && !t.Equals("100rel", StringComparison.OrdinalIgnoreCase)).ToList();
        if (require.Count > 0)
        {
            _transactions.Respond(from, request, 420, "Bad Extension", extra: [new SipHeader("Unsupported", string.Join(", ", require))]);
            return;
        }
        switch (method)
        {
            case "INVITE" when request.ToTag is null:
                _inbound.OnInvite(from, request, branch);
                break;
            case "INVITE":
                _inbound.OnReInvite(from, request, branch);
                break;
            case "BYE":
                _inbound.OnBye(from, request);
                break;
            case "UPDATE":
                _inbound.OnUpdate(from, request);
                break;
            case "PRACK":
                _provisionals.OnPrack(from, request);
                break;
            case "OPTIONS":
                _transactions.Respond(from, request, 200, "OK", toTag: request.ToTag is null ? SipWriter.NewTag() : null, extra:
                [
                    new SipHeader("Allow", SipWriter.Allow), new SipHeader("Accept", "application/sdp"),
                    new SipHeader("Supported", SipWriter.Supported), new SipHeader("Contact", _dialogs.ContactHeader(from)),
                ]);
                break;
            case "NOTIFY":
                _transfer.OnNotify(from, request);
                break;
            case "INFO":
                _inbound.OnInfo(from, request);
                break;
            default:
                _transactions.Respond(from, request, 405, "Method Not Allowed", toTag: SipWriter.NewTag(), extra: [new SipHeader("Allow", SipWriter.Allow)]);
                break;
        }
    }

    public Task<bool> HangUpAsync(string callId)
    {
        lock (_lock)
        {
            if (!_dialogs.TryGet(callId, out var call)) return Task.FromResult(false);
            var done = call.State == CallState.Ringing && (call.Outbound ? _outbound.Cancel(call) : _inbound.Decline(call));
            if (!done) _lifecycle.SendBye(call);
            return Task.FromResult(true);
        }
    }

    public Task<bool> TransferAsync(string callId, string? targetUri = null)
    {
        var target = _transfer.TargetOrAgent(targetUri);
        lock (_lock)
            return _dialogs.TryGet(callId, out var call) ? _transfer.Refer(call, target) : Task.FromResult(false);
    }

    public Task<OutboundCallResult> PlaceCallAsync(string number, string? tenant = null, CancellationToken cancellationToken = default) =>
        _outbound.PlaceCallAsync(number, tenant, this, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        IReadOnlyList<VoiceCall> calls;
        lock (_lock) calls = _dialogs.Calls;
        foreach (var call in calls)
            lock (_lock)
                if (call.State is CallState.Established or CallState.Answered) _lifecycle.SendBye(call);
                else _lifecycle.EndCall(call, "shutdown");
        await Task.CompletedTask;
    }
}

/// <summary>
/// An initial INVITE was answered: its Call-ID and the Stopwatch timestamps of its arrival at the signaling layer, the
/// lock taken, the 200 handed to the transport, and the answer's follow-up work (media start, retransmit timer) done.
/// </summary>
public delegate void InviteAnsweredProbe(string callId, long arrived, long locked, long sent, long done);

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
}

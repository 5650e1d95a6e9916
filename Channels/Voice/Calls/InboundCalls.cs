using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Security;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The UAS side of calls: INVITE → (100, 180) → 200 with the SDP answer, ACK, CANCEL, BYE, re-INVITE (hold, resume,
/// offerless) and SIP INFO digits. Callers hold the signaling lock.
/// </summary>
public sealed class InboundCalls(
    VoiceOptions options,
    SipTransactions transactions,
    SipDialogs<VoiceCall> dialogs,
    CallLifecycle lifecycle,
    SessionTimers<VoiceCall> sessionTimers,
    ReliableProvisionals provisionals,
    RtpPortPool ports,
    TenantDirectory tenants,
    TrunkGuard guard,
    SignalingCounters counters,
    ILogger logger,
    System.Threading.RateLimiting.RateLimiter? admission = null)
{
    /// <summary>The keyed <c>RateLimiter</c> the host registers to refuse new calls while it is past capacity.</summary>
    public const string AdmissionKey = "sip-invites";

    /// <summary>The benchmark's probe (see <see cref="VoiceSignaling.InviteAnswered"/>), read when a call is answered.</summary>
    internal Func<InviteAnsweredProbe?>? Probe { get; init; }

    /// <summary>Timestamps of the request being handled now (arrival, lock taken); set under the lock only while probing.</summary>
    internal (long Arrived, long Locked) Arrived { get; set; }

    public void OnInvite(SipPeer from, SipMessage invite, string branch)
    {
        counters.Invites++;
        var callId = invite.CallId;
        if (dialogs.Contains(callId))
        {
            transactions.Respond(from, invite, 482, "Loop Detected", toTag: SipWriter.NewTag());
            return;
        }
        var encrypted = guard.RequiresEncryption(from.EndPoint.Address);
        if (encrypted && !from.Secure)
        {
            transactions.Respond(from, invite, 403, "Forbidden", toTag: SipWriter.NewTag(),
                extra: [new SipHeader("Warning", "399 switchboard \"This trunk requires SIP over TLS\"")]);
            return;
        }
        if (invite.Body.Length == 0)
        {
            transactions.Respond(from, invite, 488, "Not Acceptable Here", toTag: SipWriter.NewTag(),
                extra: [new SipHeader("Warning", "399 switchboard \"An SDP offer is required in the INVITE\"")]);
            return;
        }
        if (invite.ContentType is { } ct && !ct.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            transactions.Respond(from, invite, 415, "Unsupported Media Type", toTag: SipWriter.NewTag(), extra: [new SipHeader("Accept", "application/sdp")]);
            return;
        }
        if (!SessionDescription.TryParse(invite.Body.Span, out var offer))
        {
            transactions.Respond(from, invite, 400, "Bad SDP", toTag: SipWriter.NewTag());
            return;
        }
        if (MediaNegotiation.Negotiate(offer!, requireSrtp: encrypted) is not { } negotiated)
        {
            var warning = encrypted ? "305 switchboard \"This trunk requires SRTP: PCMU/PCMA over RTP/SAVP with AES_CM_128_HMAC_SHA1_80\""
                : "305 switchboard \"Only PCMU/PCMA over RTP/AVP, or RTP/SAVP with AES_CM_128_HMAC_SHA1_80\"";
            transactions.Respond(from, invite, 488, "Not Acceptable Here", toTag: SipWriter.NewTag(),
                extra: [new SipHeader("Warning", warning), new SipHeader("Accept", "application/sdp")]);
            return;
        }
        sessionTimers.Negotiate(invite, out var intervalTooSmall);
        if (intervalTooSmall)
        {
            RespondIntervalTooSmall(from, invite);
            return;
        }
        using var admitted = admission?.AttemptAcquire(0);
        if (admitted is { IsAcquired: false } || dialogs.Count >= options.MaxCalls || ports.Rent() is not { } pair)
        {
            transactions.Respond(from, invite, 503, "Service Unavailable", toTag: SipWriter.NewTag(), extra: [new SipHeader("Retry-After", "5")]);
            return;
        }
        var requestUser = NameAddr.User(invite.RequestUri!);
        var tenant = tenants.ForEndpoint(Channel.Voice, requestUser);
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
            RouteSet = invite.HeaderValueList(SipHeaderNames.RecordRoute),
            Peer = from,
            RemoteCSeq = invite.CSeqNumber,
            Invite = invite,
            Negotiated = negotiated,
            SdpSessionId = RandomNumberGenerator.GetInt32(int.MaxValue),
            State = CallState.Ringing,
        };
        call.LocalParty += ";tag=" + call.LocalTag;
        var remote = new IPEndPoint(lifecycle.ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort);
        var port = pair.Port;
        call.Media = new RtpSession(pair.Rtp, pair.Rtcp, port, remote, negotiated.Codec, negotiated.TelephoneEventPayloadType, () => ports.Return(port))
        {
            Sending = negotiated.WeSend,
        };
        if (negotiated.RemoteCrypto is { } crypto) call.Media.UseSrtp(RandomNumberGenerator.GetBytes(SdesCrypto.KeyAndSaltLength), crypto.KeyAndSalt);
        call.LastAnswerBody = MediaNegotiation.Answer(offer!, negotiated, options.Advertised, port, call.SdpSessionId, call.SdpVersion, call.Media.LocalSrtpKey);
        var tx = transactions.OpenInvite(invite, from, branch, call);
        call.InviteTransactionKey = tx.Key;
        dialogs.Add(call);
        // Per call: the arguments (hash, boxing, the params array) are made only when the level is on.
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Incoming call {CallRef} for tenant {Tenant} ({Codec}{Srtp}{Tls})", CallReference.For(callId), tenant.Id, negotiated.Codec,
                negotiated.Secure ? ", SRTP" : "", from.Secure ? ", TLS" : "");

        if (options.AnswerDelayMs > 0)
        {
            transactions.Reply(tx, SipWriter.Response(invite, 100, "Trying", from), 100);
            provisionals.Send(call, tx, 180, "Ringing", [new SipHeader("Contact", dialogs.ContactHeader(from))]);
            call.AnswerTimer = transactions.Time.CreateTimer(_ =>
            {
                lock (transactions.Gate) Answer(call, tx);
            }, null, TimeSpan.FromMilliseconds(options.AnswerDelayMs), Timeout.InfiniteTimeSpan);
        }
        else Answer(call, tx);
    }

    private void Answer(VoiceCall call, ServerInviteTransaction tx)
    {
        if (call.State != CallState.Ringing) return;
        call.AnswerTimer?.Dispose();
        provisionals.Finish(call);
        var interval = sessionTimers.Negotiate(call.Invite!, out _);
        var ok = SipWriter.Response(call.Invite!, 200, "OK", tx.Peer, call.LocalTag,
            dialogs.AnswerHeaders(tx.Peer, SessionTimers.ResponseHeaders(call.Invite!, interval)), "application/sdp", call.LastAnswerBody, copyRecordRoute: true);
        transactions.Reply(tx, ok, 200);
        var sent = System.Diagnostics.Stopwatch.GetTimestamp();
        call.State = CallState.Answered;
        if (interval is not null) sessionTimers.Refreshed(call, interval);
        lifecycle.StartMedia(call);
        dialogs.RetransmitOkUntilAck(call, ok, call.Invite!.CSeqNumber, lifecycle.OnNoAck);
        transactions.ScheduleRemoval(tx, Retransmitter.Timeout);
        counters.Answered++;
        if (Probe?.Invoke() is { } probe && options.AnswerDelayMs <= 0)
            probe(call.CallId, Arrived.Arrived, Arrived.Locked, sent, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public void OnAck(SipMessage ack, string branch)
    {
        if (transactions.AcknowledgeRejection(branch)) return;
        if (dialogs.Acknowledge(ack) is not { State: CallState.Answered } call) return;
        call.State = CallState.Established;
        lifecycle.StartConversation(call, VoiceTurns.CallStart);
        // Everything the INVITE was kept for (provisionals, the 200 and its retransmissions, CANCEL, the caller's
        // identity) is done: 1,000 held calls would otherwise keep 1,000 parsed INVITEs alive for the GC to copy.
        call.Invite = null;
    }

    public void OnCancel(SipPeer from, SipMessage cancel, string branch)
    {
        if (transactions.FindInvite(branch) is not { } inviteTx)
        {
            transactions.Respond(from, cancel, 481, "Call/Transaction Does Not Exist", toTag: SipWriter.NewTag());
            return;
        }
        var call = inviteTx.Dialog as VoiceCall;
        transactions.Respond(from, cancel, 200, "OK", toTag: call?.LocalTag ?? SipWriter.NewTag());
        if (call is null || call.State != CallState.Ringing) return; // already answered or refused: the CANCEL has no effect
        counters.Cancelled++;
        provisionals.Finish(call);
        transactions.RejectInvite(inviteTx, SipWriter.Response(call.Invite!, 487, "Request Terminated", inviteTx.Peer, call.LocalTag), 487);
        lifecycle.EndCall(call, "cancelled");
    }

    /// <summary>We hang up a call still ringing: 480 to its INVITE.</summary>
    public bool Decline(VoiceCall call)
    {
        if (call.InviteTransactionKey is not { } key || transactions.FindInviteByKey(key) is not { } tx) return false;
        provisionals.Finish(call);
        transactions.Reply(tx, SipWriter.Response(call.Invite!, 480, "Temporarily Unavailable", tx.Peer, call.LocalTag), 480);
        lifecycle.EndCall(call, "declined");
        return true;
    }

    public void OnBye(SipPeer from, SipMessage bye)
    {
        if (dialogs.Match(bye) is not { } call)
        {
            transactions.Respond(from, bye, 481, "Call/Transaction Does Not Exist", toTag: bye.ToTag is null ? SipWriter.NewTag() : null);
            return;
        }
        transactions.Respond(from, bye, 200, "OK");
        if (call.State == CallState.Ringing && call.InviteTransactionKey is { } key && transactions.FindInviteByKey(key) is { } tx)
        {
            provisionals.Finish(call);
            transactions.Reply(tx, SipWriter.Response(call.Invite!, 487, "Request Terminated", tx.Peer, call.LocalTag), 487);
        }
        counters.RemoteHangups++;
        lifecycle.EndCall(call, "remote hang-up");
    }

    public void OnReInvite(SipPeer from, SipMessage invite, string branch)
    {
        if (dialogs.Match(invite) is not { } call)
        {
            transactions.Respond(from, invite, 481, "Call/Transaction Does Not Exist");
            return;
        }
        if (call.PendingAckCSeq >= 0 || call.State is CallState.Ringing || invite.CSeqNumber <= call.RemoteCSeq)
        {
            // RFC 3261 §14.2: an earlier INVITE is still open (or this one is out of order).
            transactions.Respond(from, invite, 500, "Server Internal Error", extra: [new SipHeader("Retry-After", "1")]);
            return;
        }
        call.RemoteCSeq = invite.CSeqNumber;
        var tx = transactions.OpenInvite(invite, from, branch, call);
        transactions.ScheduleRemoval(tx, Retransmitter.Timeout);
        var interval = sessionTimers.Negotiate(invite, out var tooSmall);
        if (tooSmall)
        {
            transactions.Reply(tx, SipWriter.Response(invite, 422, "Session Interval Too Small", from, extra: [MinSeHeader]), 422);
            return;
        }
        // An offerless re-INVITE: offer what we have (the ACK would carry the answer; we keep our current media).
        var body = invite.Body.Length == 0 ? call.LastAnswerBody! : Renegotiate(call, invite, "re-INVITE");
        if (body is null)
        {
            transactions.Reply(tx, SipWriter.Response(invite, 488, "Not Acceptable Here", from), 488);
            return;
        }
        if (invite.Header(SipHeaderNames.Contact) is { } contact) call.RemoteTarget = NameAddr.Uri(contact);
        var ok = SipWriter.Response(invite, 200, "OK", from, call.LocalTag, dialogs.AnswerHeaders(from, SessionTimers.ResponseHeaders(invite, interval)),
            "application/sdp", body);
        transactions.Reply(tx, ok, 200);
        dialogs.RetransmitOkUntilAck(call, ok, invite.CSeqNumber, lifecycle.OnNoAck);
        Refreshed(call, interval);
    }

    /// <summary>
    /// UPDATE (RFC 3311) in the dialog: a session refresh (RFC 4028) and, with an SDP body, a new offer answered in the
    /// 200. No ACK follows.
    /// </summary>
    public void OnUpdate(SipPeer from, SipMessage update)
    {
        if (dialogs.Match(update) is not { } call)
        {
            transactions.Respond(from, update, 481, "Call/Transaction Does Not Exist");
            return;
        }
        var interval = sessionTimers.Negotiate(update, out var tooSmall);
        if (tooSmall)
        {
            RespondIntervalTooSmall(from, update);
            return;
        }
        byte[]? body = null;
        if (update.Body.Length > 0 && (body = Renegotiate(call, update, "UPDATE")) is null)
        {
            transactions.Respond(from, update, 488, "Not Acceptable Here");
            return;
        }
        if (update.Header(SipHeaderNames.Contact) is { } contact) call.RemoteTarget = NameAddr.Uri(contact);
        var headers = dialogs.AnswerHeaders(from, SessionTimers.ResponseHeaders(update, interval));
        transactions.Respond(from, update, 200, "OK", extra: headers, contentType: body is null ? null : "application/sdp", body: body);
        Refreshed(call, interval);
    }

    private SipHeader MinSeHeader => new(SipHeaderNames.MinSE, sessionTimers.MinSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void RespondIntervalTooSmall(SipPeer from, SipMessage request) =>
        transactions.Respond(from, request, 422, "Session Interval Too Small", toTag: request.ToTag is null ? SipWriter.NewTag() : null, extra: [MinSeHeader]);

    /// <summary>A refresh without Session-Expires (and no timer support) turns the session timer off (RFC 4028 §10).</summary>
    private void Refreshed(VoiceCall call, SessionInterval? interval)
    {
        if (interval is null) sessionTimers.Stop(call);
        else sessionTimers.Refreshed(call, interval);
    }

    /// <summary>
    /// A new offer inside the call (re-INVITE or UPDATE): applies it to the media and returns the answer, or null (488).
    /// The media stays as secure as it started: no switching between RTP and SRTP within a call.
    /// </summary>
    private byte[]? Renegotiate(VoiceCall call, SipMessage request, string what)
    {
        var media = call.Media!;
        if (!SessionDescription.TryParse(request.Body.Span, out var offer)
            || MediaNegotiation.Negotiate(offer!, requireSrtp: media.Secure) is not { } negotiated || negotiated.Secure != media.Secure)
            return null;
        var remote = new IPEndPoint(lifecycle.ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort);
        media.Update(remote, negotiated.Codec, negotiated.TelephoneEventPayloadType, negotiated.WeSend);
        if (negotiated.RemoteCrypto is { } crypto) media.UpdateRemoteSrtpKey(crypto.KeyAndSalt);
        call.Negotiated = negotiated;
        var answer = MediaNegotiation.Answer(offer!, negotiated, options.Advertised, media.LocalPort, call.SdpSessionId, call.SdpVersion, media.LocalSrtpKey);
        if (!SameSdpIgnoringOrigin(answer, call.LastAnswerBody!))
        {
            call.SdpVersion++;
            answer = MediaNegotiation.Answer(offer!, negotiated, options.Advertised, media.LocalPort, call.SdpSessionId, call.SdpVersion, media.LocalSrtpKey);
        }
        call.LastAnswerBody = answer;
        logger.LogInformation("Call {CallRef} {What}: {State}", CallReference.For(call.CallId), what, negotiated.RemoteOnHold ? "held" : "active");
        counters.ReInvites++;
        return answer;
    }

    public void OnInfo(SipPeer from, SipMessage info)
    {
        if (dialogs.Match(info) is not { } call)
        {
            transactions.Respond(from, info, 481, "Call/Transaction Does Not Exist");
            return;
        }
        transactions.Respond(from, info, 200, "OK");
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

    private static bool SameSdpIgnoringOrigin(byte[] a, byte[] b)
    {
        static string Strip(byte[] x) => string.Join("\n", Encoding.ASCII.GetString(x).Split('\n').Where(l => !l.StartsWith("o=", StringComparison.Ordinal)));
        return Strip(a) == Strip(b);
    }
}

using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The UAC side of calls: INVITE with our offer to the SBC, the answer, ACK (for 2xx a new transaction, for non-2xx
/// part of the INVITE's), CANCEL of an unanswered attempt. Callers hold the signaling lock.
/// </summary>
public sealed class OutboundCalls(
    VoiceOptions options,
    SipTransactions transactions,
    SipDialogs<VoiceCall> dialogs,
    CallLifecycle lifecycle,
    RtpPortPool ports,
    TenantDirectory tenants,
    SignalingCounters counters,
    ILogger logger)
{
    public async Task<OutboundCallResult> PlaceCallAsync(string number, string? tenant, ICallControl control, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.SbcAddress)) throw new InvalidOperationException("Outbound calls need Sip:SbcAddress (host:port).");
        if (!NameAddr.TryHostPort("sip:" + options.SbcAddress, out var host, out var sbcPort)) throw new InvalidOperationException("Sip:SbcAddress is not host:port.");
        var e164 = AddressNormalizer.ToE164(number, tenants.FindOrDefault(tenant)?.DefaultRegion ?? "IN");
        var address = IPAddress.TryParse(host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(host, cancellationToken))[0];
        var peer = new SipPeer(SipTransportKind.Udp, new IPEndPoint(address, sbcPort));
        var tenantId = (tenants.FindOrDefault(tenant) ?? tenants.Default).Id;
        var result = new TaskCompletionSource<OutboundCallResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + "@" + options.Advertised;
        lock (transactions.Gate)
        {
            if (ports.Rent() is not { } pair) return new OutboundCallResult(callId, 503, "No RTP port free");
            var requestUri = $"sip:{e164}@{options.SbcAddress}";
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
            call.LocalParty = $"<sip:{options.OutboundCallerId}@{options.Advertised}>;tag={call.LocalTag}";
            var port = pair.Port;
            call.Media = new RtpSession(pair.Rtp, pair.Rtcp, port, new IPEndPoint(address, 9), AudioCodec.Pcmu,
                MediaNegotiation.DefaultTelephoneEventPayloadType, () => ports.Return(port)) { Sending = false };
            var offer = MediaNegotiation.Offer(options.Advertised, port, call.SdpSessionId);
            var branch = SipWriter.NewBranch();
            var headers = dialogs.Headers(call, "INVITE", branch, call.LocalCSeq);
            headers.Add(new SipHeader("Allow", SipWriter.Allow));
            var invite = SipWriter.Request("INVITE", requestUri, headers, "application/sdp", offer);
            call.OutboundInvite = new OutboundInvite(requestUri, branch, headers[0].Value);
            dialogs.Add(call);
            counters.OutboundAttempts++;
            lifecycle.PublishCallEvent(call, Grains.Interfaces.Analytics.InteractionKind.CallPlaced, "outbound");
            transactions.Start(new ClientInviteTransaction(SipTransactions.Key(branch, "INVITE"), invite, peer,
                new OutboundAttempt(this, call, branch, requestUri, e164)));
        }
        await using var cancel = cancellationToken.Register(() => _ = control.HangUpAsync(callId));
        return await result.Task;
    }

    /// <summary>RFC 3261 §9.1: CANCEL copies the INVITE's Request-URI, top Via, Call-ID, From, To and CSeq number.</summary>
    public bool Cancel(VoiceCall call)
    {
        if (call.OutboundInvite is not { } invite) return false;
        if (!call.ProvisionalReceived)
        {
            // RFC 3261 §9.1: no CANCEL before a provisional response; it is sent when one arrives.
            call.CancelWanted = true;
            return true;
        }
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
        transactions.Start(new ClientNonInviteTransaction(SipTransactions.Key(invite.Branch, "CANCEL"), "CANCEL", cancel, call.Peer, IgnoredOutcome.Instance));
        // The 487 that follows completes the INVITE transaction (ACK, end of call, result).
        return true;
    }

    /// <summary>A retransmitted 2xx to our INVITE after its transaction ended: repeat the ACK (RFC 3261 §13.2.2.4).</summary>
    public void OnStrayResponse(SipMessage response)
    {
        if (response.CSeqMethod == "INVITE" && response.StatusCode is >= 200 and < 300
            && dialogs.TryGet(response.CallId, out var call) && call.AckForOk is { } ack)
            transactions.Send(call.Peer, ack);
    }

    private void OnFinal(VoiceCall call, SipMessage response, string branch, string requestUri, string e164)
    {
        if (response.StatusCode >= 300)
        {
            // Non-2xx: the ACK is part of the INVITE transaction (same branch, same Request-URI).
            var headers = new List<SipHeader>
            {
                new(SipHeaderNames.Via, $"SIP/2.0/UDP {dialogs.LocalHostPort};branch={branch};rport"),
                new(SipHeaderNames.MaxForwards, "70"),
                new(SipHeaderNames.From, call.LocalParty),
                new(SipHeaderNames.To, response.To),
                new(SipHeaderNames.CallId, call.CallId),
                new(SipHeaderNames.CSeq, $"{call.LocalCSeq} ACK"),
            };
            transactions.Send(call.Peer, SipWriter.Request("ACK", requestUri, headers));
            lifecycle.EndCall(call, $"outbound {response.StatusCode}");
            call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, response.StatusCode, response.ReasonPhrase ?? ""));
            return;
        }
        call.RemoteTag = response.ToTag;
        call.RemoteParty = response.To;
        if (response.Header(SipHeaderNames.Contact) is { } contact) call.RemoteTarget = NameAddr.Uri(contact);
        call.RouteSet = response.HeaderValues(SipHeaderNames.RecordRoute).Reverse().ToList();
        var ackHeaders = dialogs.Headers(call, "ACK", SipWriter.NewBranch(), call.LocalCSeq);
        call.AckForOk = SipWriter.Request("ACK", call.RemoteTarget, ackHeaders);
        transactions.Send(call.Peer, call.AckForOk);
        if (call.CancelWanted)
        {
            // Answered before any provisional response, after we had hung up: the CANCEL never went out, so end it with BYE.
            call.State = CallState.Established;
            lifecycle.SendBye(call);
            call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, 487, "Request Terminated"));
            return;
        }
        if (SessionDescription.TryParse(response.Body.Span, out var answer) && MediaNegotiation.Negotiate(answer!) is { } negotiated)
        {
            call.Negotiated = negotiated;
            call.Media!.Update(new IPEndPoint(lifecycle.ParseOrLoopback(negotiated.RemoteAddress), negotiated.RemotePort), negotiated.Codec,
                negotiated.TelephoneEventPayloadType, negotiated.WeSend);
        }
        else
        {
            logger.LogWarning("Outbound call {CallRef} answered without usable SDP; hanging up", CallReference.For(call.CallId));
            call.State = CallState.Established;
            lifecycle.SendBye(call);
            call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, 488, "No usable SDP answer"));
            return;
        }
        call.State = CallState.Established;
        lifecycle.StartMedia(call);
        lifecycle.StartConversation(call, VoiceTurns.OutboundAnswered, new ChannelAddress(AddressKind.Phone, e164));
        call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, response.StatusCode, response.ReasonPhrase ?? "OK"));
    }

    private void OnNoAnswer(VoiceCall call)
    {
        lifecycle.EndCall(call, "no answer");
        call.OutboundResult?.TrySetResult(new OutboundCallResult(call.CallId, 408, "Request Timeout"));
    }

    /// <summary>One INVITE we sent, as its client transaction reports back.</summary>
    private sealed class OutboundAttempt(OutboundCalls calls, VoiceCall call, string branch, string requestUri, string e164) : IClientTransactionUser
    {
        public void OnProvisional(SipMessage response)
        {
            if (response.ToTag is { } tag) call.RemoteTag = tag;
            var first = !call.ProvisionalReceived;
            call.ProvisionalReceived = true;
            if (first && call.CancelWanted) calls.Cancel(call);
        }

        public void OnFinal(SipMessage response) => calls.OnFinal(call, response, branch, requestUri, e164);

        public void OnTimeout() => calls.OnNoAnswer(call);
    }
}

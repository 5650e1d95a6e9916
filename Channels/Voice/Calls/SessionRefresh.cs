using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The call side of session timers (RFC 4028): when we refresh, an UPDATE with Session-Expires at half the interval;
/// when the peer should have refreshed and did not, BYE. Callers hold the signaling lock.
/// </summary>
public sealed class SessionRefresh(SipDialogs<VoiceCall> dialogs, ILogger logger) : ISessionTimerUser<VoiceCall>
{
    private CallLifecycle? _lifecycle;
    private SessionTimers<VoiceCall>? _timers;

    public void Attach(CallLifecycle lifecycle, SessionTimers<VoiceCall> timers)
    {
        _lifecycle = lifecycle;
        _timers = timers;
    }

    public void RefreshDue(VoiceCall call, SessionInterval interval) => SendUpdate(call, interval.Seconds);

    private void SendUpdate(VoiceCall call, int seconds)
    {
        // In our UPDATE we are the UAC: refresher=uac keeps the refreshing with us.
        dialogs.SendRequest(call, "UPDATE", new Refresh(this, call, seconds),
        [
            new SipHeader(SipHeaderNames.SessionExpires, new SessionInterval(seconds, SessionRefresher.Uac).Header),
            new SipHeader(SipHeaderNames.Supported, SipWriter.Supported),
        ]);
    }

    public void SessionExpired(VoiceCall call)
    {
        logger.LogInformation("Session of call {CallRef} expired without a refresh; hanging up", CallReference.For(call.CallId));
        _lifecycle!.SendBye(call);
    }

    private void OnRefreshed(VoiceCall call, SipMessage response, int seconds)
    {
        if (call.State == CallState.Ended) return;
        if (response.StatusCode is >= 200 and < 300)
        {
            SessionInterval.TryParse(response.Header(SipHeaderNames.SessionExpires), out var granted, out var refresher);
            var ours = refresher is null or SessionRefresher.Uac; // uac = us, the sender of the UPDATE
            _timers!.Refreshed(call, new SessionInterval(granted > 0 ? granted : seconds, ours ? SessionRefresher.Uas : SessionRefresher.Uac));
            return;
        }
        if (response.StatusCode == 422 && SessionInterval.TryParse(response.Header(SipHeaderNames.MinSE), out var min, out _) && min > seconds)
        {
            SendUpdate(call, min);
            return;
        }
        // RFC 4028 §10: a refresh that fails with anything but 422 (or times out) ends the session.
        logger.LogInformation("Session refresh of call {CallRef} failed ({Status}); hanging up", CallReference.For(call.CallId), response.StatusCode);
        _lifecycle!.SendBye(call);
    }

    private sealed class Refresh(SessionRefresh owner, VoiceCall call, int seconds) : IClientTransactionUser
    {
        public void OnFinal(SipMessage response) => owner.OnRefreshed(call, response, seconds);

        public void OnTimeout()
        {
            if (call.State != CallState.Ended) owner._lifecycle!.SendBye(call);
        }
    }
}

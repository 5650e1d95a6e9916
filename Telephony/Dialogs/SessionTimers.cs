using Switchboard.Telephony.Sip;

namespace Switchboard.Telephony.Dialogs;

/// <summary>Who refreshes the session (RFC 4028 §4): the sender of the INVITE/UPDATE (uac) or its receiver (uas).</summary>
public enum SessionRefresher
{
    Uac,
    Uas,
}

/// <summary>A negotiated session interval: the delta in seconds and who refreshes; <see cref="Header"/> is its Session-Expires value.</summary>
public sealed record SessionInterval(int Seconds, SessionRefresher Refresher)
{
    public string Header => $"{Seconds};refresher={(Refresher == SessionRefresher.Uac ? "uac" : "uas")}";

    /// <summary>Parses <c>delta-seconds[;refresher=uac|uas]</c>; false when malformed.</summary>
    public static bool TryParse(string? value, out int seconds, out SessionRefresher? refresher)
    {
        seconds = 0;
        refresher = null;
        if (value is null) return false;
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds <= 0)
            return false;
        foreach (var p in parts.Skip(1))
            if (p.StartsWith("refresher=", StringComparison.OrdinalIgnoreCase))
                refresher = p[10..].Equals("uas", StringComparison.OrdinalIgnoreCase) ? SessionRefresher.Uas : SessionRefresher.Uac;
        return true;
    }
}

/// <summary>What the session timers ask of call handling.</summary>
public interface ISessionTimerUser<in TDialog> where TDialog : SipDialog
{
    /// <summary>We are the refresher and half the interval has passed: send a refresh (UPDATE).</summary>
    void RefreshDue(TDialog call, SessionInterval interval);

    /// <summary>The peer was the refresher and no refresh came in time: end the call with BYE (RFC 4028 §10).</summary>
    void SessionExpired(TDialog call);
}

/// <summary>
/// Session timers (RFC 4028) for answered calls: negotiation of the interval from a request's Session-Expires, Min-SE
/// and Supported, and one timer per call — a refresh at half the interval when we refresh, or BYE at the interval minus
/// min(32 s, interval/3) when the peer does and stays silent. Callers hold the signaling lock; timer callbacks take it.
/// </summary>
public sealed class SessionTimers<TDialog>(int sessionExpiresSeconds, int minSessionExpiresSeconds, TimeProvider time, Lock gate,
    ISessionTimerUser<TDialog> user) where TDialog : SipDialog
{
    private readonly Dictionary<string, (SessionInterval Interval, ITimer Timer)> _running = new(StringComparer.Ordinal);

    public int MinSeconds => minSessionExpiresSeconds;

    /// <summary>
    /// The interval for a request (initial INVITE, re-INVITE or UPDATE): null when timers are not used; a 422 is due when
    /// <paramref name="tooSmall"/> is true. The peer refreshes whenever it supports timers and did not ask us to.
    /// </summary>
    public SessionInterval? Negotiate(SipMessage request, out bool tooSmall)
    {
        tooSmall = false;
        var supported = SessionTimers.PeerSupportsTimer(request);
        var hasHeader = SessionInterval.TryParse(request.Header(SipHeaderNames.SessionExpires), out var seconds, out var refresher);
        if (hasHeader && seconds < minSessionExpiresSeconds)
        {
            tooSmall = true;
            return null;
        }
        if (!hasHeader)
        {
            if (!supported) return null;
            seconds = sessionExpiresSeconds;
        }
        if (SessionInterval.TryParse(request.Header(SipHeaderNames.MinSE), out var minSe, out _)) seconds = Math.Max(seconds, minSe);
        // RFC 4028 §9: a peer without timer support cannot refresh; then we do.
        var who = supported ? refresher ?? SessionRefresher.Uac : SessionRefresher.Uas;
        return new SessionInterval(seconds, who);
    }

    /// <summary>Starts or restarts the call's timer after a 2xx that carried <paramref name="interval"/> (the session was refreshed).</summary>
    public void Refreshed(TDialog call, SessionInterval interval)
    {
        Stop(call);
        var seconds = interval.Refresher == SessionRefresher.Uas
            ? interval.Seconds / 2.0
            : interval.Seconds - Math.Min(32, interval.Seconds / 3.0);
        var timer = time.CreateTimer(_ => Fire(call), null, TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan);
        _running[call.CallId] = (interval, timer);
    }

    /// <summary>The interval running for a call, or null.</summary>
    public SessionInterval? For(TDialog call) => _running.TryGetValue(call.CallId, out var r) ? r.Interval : null;

    public void Stop(TDialog call)
    {
        if (_running.Remove(call.CallId, out var r)) r.Timer.Dispose();
    }

    private void Fire(TDialog call)
    {
        lock (gate)
        {
            if (!_running.TryGetValue(call.CallId, out var r) || call.State == CallState.Ended) return;
            if (r.Interval.Refresher == SessionRefresher.Uas) user.RefreshDue(call, r.Interval);
            else
            {
                _running.Remove(call.CallId);
                user.SessionExpired(call);
            }
        }
    }
}

/// <summary>The header side of session timers, the same for every dialog type.</summary>
public static class SessionTimers
{
    public static bool PeerSupportsTimer(SipMessage request) =>
        request.HeaderValues(SipHeaderNames.Supported).Concat(request.HeaderValues(SipHeaderNames.Require))
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Any(t => t.Equals("timer", StringComparison.OrdinalIgnoreCase));

    /// <summary>Headers for the 2xx that carries <paramref name="interval"/> (Require: timer when the peer supports it).</summary>
    public static IEnumerable<SipHeader> ResponseHeaders(SipMessage request, SessionInterval? interval)
    {
        if (interval is null) yield break;
        yield return new SipHeader(SipHeaderNames.SessionExpires, interval.Header);
        if (PeerSupportsTimer(request)) yield return new SipHeader(SipHeaderNames.Require, "timer");
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Tests;

/// <summary>Session timers (RFC 4028): the interval and refresher a request asks for, and the timer policy on a fake clock.</summary>
public sealed class SessionTimerPolicyTests
{
    private sealed class RecordingUser : ISessionTimerUser<SipDialog>
    {
        public List<string> Events { get; } = [];

        public void RefreshDue(SipDialog call, SessionInterval interval) => Events.Add($"refresh {interval.Seconds}");

        public void SessionExpired(SipDialog call) => Events.Add("expired");
    }

    private static SipDialog Call() => new()
    {
        CallId = "c1", LocalTag = "l", Outbound = false, LocalParty = "<sip:a@b>", RemoteParty = "<sip:c@d>",
        Peer = new SipPeer(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 5060)),
        State = CallState.Established,
    };

    [Fact]
    public void Silent_refresher_gets_bye_at_the_interval_minus_a_third_capped_at_32_seconds_and_a_refresh_postpones_it()
    {
        var clock = new FakeTimeProvider();
        var user = new RecordingUser();
        var timers = new SessionTimers<SipDialog>(1800, 90, clock, new Lock(), user);
        var call = Call();
        timers.Refreshed(call, new SessionInterval(90, SessionRefresher.Uac));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(user.Events);
        timers.Refreshed(call, new SessionInterval(90, SessionRefresher.Uac)); // the peer refreshed at 59 s
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(user.Events);
        clock.Advance(TimeSpan.FromSeconds(1)); // 90 - min(32, 30) = 60 s after the refresh
        Assert.Equal(["expired"], user.Events);
        Assert.Null(timers.For(call));

        timers.Refreshed(call, new SessionInterval(1800, SessionRefresher.Uac));
        clock.Advance(TimeSpan.FromSeconds(1767));
        Assert.Single(user.Events);
        clock.Advance(TimeSpan.FromSeconds(1)); // 1800 - 32
        Assert.Equal(2, user.Events.Count);
    }

    [Fact]
    public void We_refresh_at_half_the_interval_when_the_peer_cannot()
    {
        var clock = new FakeTimeProvider();
        var user = new RecordingUser();
        var timers = new SessionTimers<SipDialog>(1800, 90, clock, new Lock(), user);
        timers.Refreshed(Call(), new SessionInterval(120, SessionRefresher.Uas));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(user.Events);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["refresh 120"], user.Events);
    }

    [Theory]
    [InlineData("Supported: timer\r\nSession-Expires: 300;refresher=uas", 300, "uas")]
    [InlineData("Supported: timer\r\nSession-Expires: 300", 300, "uac")]
    [InlineData("Supported: timer", 1800, "uac")]
    [InlineData("Session-Expires: 600", 600, "uas")] // a proxy asked for timers the caller does not support: we refresh
    [InlineData("Supported: timer\r\nSession-Expires: 100\r\nMin-SE: 200", 200, "uac")]
    public void Interval_and_refresher_follow_the_request(string headers, int seconds, string refresher)
    {
        var timers = new SessionTimers<SipDialog>(1800, 90, TimeProvider.System, new Lock(), new RecordingUser());
        var request = SipParser.Parse(Encoding.ASCII.GetBytes(
            "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5000;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\n"
            + "Call-ID: x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" + headers + "\r\nContent-Length: 0\r\n\r\n")).Message!;
        var interval = timers.Negotiate(request, out var tooSmall);
        Assert.False(tooSmall);
        Assert.Equal($"{seconds};refresher={refresher}", interval!.Header);
    }
}

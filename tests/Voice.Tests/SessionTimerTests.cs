using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Channels.Voice.Dialogs;
using Switchboard.Channels.Voice.Sip;

namespace Switchboard.Voice.Tests;

/// <summary>Session timers (RFC 4028): negotiation and refresh against sipp, 422 for a too-small interval, and the timer policy on a fake clock.</summary>
[Collection("sipp")]
public sealed class SessionTimerTests
{
    [Fact]
    public async Task Session_is_refreshed_by_update_and_by_reinvite_with_the_interval_echoed()
    {
        await using var engine = await VoiceEngine.StartAsync();
        var result = await Sipp.RunAsync("uac_session_timer.xml", engine.SipPort, caller: "+919800000012");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, engine.Signaling.Counters.Answered);
        Assert.Equal(1, engine.Signaling.Counters.ReInvites);
        Assert.Equal(1, engine.Signaling.Counters.RemoteHangups);
    }

    [Fact]
    public async Task Invite_with_a_session_interval_below_min_se_gets_422_with_our_min_se()
    {
        await using var engine = await VoiceEngine.StartAsync();
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        var sdp = "v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
        SipHeader[] headers =
        [
            new("Via", $"SIP/2.0/UDP 127.0.0.1:{port};branch={SipWriter.NewBranch()};rport"), new("Max-Forwards", "70"),
            new("From", "<sip:anonymous@127.0.0.1>;tag=se1"), new("To", "<sip:1000@127.0.0.1>"), new("Call-ID", Guid.NewGuid().ToString("n")),
            new("CSeq", "1 INVITE"), new("Contact", $"<sip:t@127.0.0.1:{port}>"), new("Supported", "timer"), new("Session-Expires", "30"),
        ];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await udp.SendToAsync(SipWriter.Request("INVITE", $"sip:1000@127.0.0.1:{engine.SipPort}", headers, "application/sdp", Encoding.ASCII.GetBytes(sdp)),
            SocketFlags.None, new IPEndPoint(IPAddress.Loopback, engine.SipPort), deadline.Token);
        var buffer = new byte[8192];
        SipMessage? response;
        do
        {
            var n = await udp.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            response = SipParser.Parse(buffer.AsSpan(0, n)).Message;
        } while (response is null || response.StatusCode < 200);
        Assert.Equal(422, response.StatusCode);
        Assert.Equal("90", response.Header("Min-SE"));
        Assert.Equal(0, engine.Signaling.ActiveCalls);
    }

    private sealed class RecordingUser : ISessionTimerUser
    {
        public List<string> Events { get; } = [];

        public void RefreshDue(VoiceCall call, SessionInterval interval) => Events.Add($"refresh {interval.Seconds}");

        public void SessionExpired(VoiceCall call) => Events.Add("expired");
    }

    private static VoiceCall Call() => new()
    {
        CallId = "c1", LocalTag = "l", Outbound = false, Tenant = "t", LocalParty = "<sip:a@b>", RemoteParty = "<sip:c@d>",
        Peer = new Switchboard.Channels.Voice.Transport.SipPeer(Switchboard.Channels.Voice.Transport.SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 5060)),
        State = CallState.Established,
    };

    [Fact]
    public void Silent_refresher_gets_bye_at_the_interval_minus_a_third_capped_at_32_seconds_and_a_refresh_postpones_it()
    {
        var clock = new FakeTimeProvider();
        var user = new RecordingUser();
        var timers = new SessionTimers(new VoiceOptions(), clock, new Lock(), user);
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
        var timers = new SessionTimers(new VoiceOptions(), clock, new Lock(), user);
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
        var timers = new SessionTimers(new VoiceOptions(), TimeProvider.System, new Lock(), new RecordingUser());
        var request = SipParser.Parse(Encoding.ASCII.GetBytes(
            "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5000;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\n"
            + "Call-ID: x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" + headers + "\r\nContent-Length: 0\r\n\r\n")).Message!;
        var interval = timers.Negotiate(request, out var tooSmall);
        Assert.False(tooSmall);
        Assert.Equal($"{seconds};refresher={refresher}", interval!.Header);
    }
}

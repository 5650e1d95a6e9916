using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Telephony.Sip;

namespace Switchboard.Voice.Tests;

/// <summary>Session timers (RFC 4028) in calls: negotiation and refresh against sipp, 422 for a too-small interval (the timer policy: Telephony.Tests).</summary>
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
}

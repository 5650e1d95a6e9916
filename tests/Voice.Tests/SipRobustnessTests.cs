using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Tests;

namespace Switchboard.Voice.Tests;

/// <summary>Mutated datagrams against the live listener: every replyable one gets its 400, and the server keeps serving.</summary>
[Collection("sipp")]
public sealed class SipRobustnessTests : IAsyncLifetime
{
    private VoiceEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await VoiceEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Live_listener_answers_400_to_every_replyable_malformed_request_and_keeps_serving()
    {
        var options = SipSamples.Invite.Replace("INVITE", "OPTIONS").Replace("Content-Type: application/sdp\r\n", "");
        var bye = SipSamples.Invite.Replace("INVITE", "BYE");
        var seeds = new[] { Encoding.UTF8.GetBytes(options), Encoding.UTF8.GetBytes(bye) };
        var random = new Random(3261);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 8 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, _engine.SipPort);
        var expected400 = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = SipSamples.Mutate(seeds[random.Next(seeds.Length)], random);
            if (bytes.Length == 0 || bytes.Length > 60_000) continue;
            var parsed = SipParser.Parse(bytes);
            if (!parsed.Ok && parsed.Message is { Method: not "ACK" }) expected400++;
            await socket.SendToAsync(bytes, SocketFlags.None, server);
        }
        var probe = Encoding.UTF8.GetBytes(options.Replace("call-1@127.0.0.1", "probe@127.0.0.1").Replace("z9hG4bK-1", "z9hG4bK-probe"));
        await socket.SendToAsync(probe, SocketFlags.None, server);

        var got400 = 0;
        var buffer = new byte[65_536];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            var r = SipParser.Parse(buffer.AsSpan(0, n));
            Assert.True(r.Ok, "the server sent something unparseable");
            var m = r.Message!;
            if (m.CallId == "probe@127.0.0.1")
            {
                Assert.Equal(200, m.StatusCode);
                break;
            }
            if (m.StatusCode == 400 && m.ReasonPhrase is not ("Bad Max-Forwards" or "Bad SDP")) got400++;
        }
        Assert.True(expected400 > 100);
        Assert.Equal(expected400, got400);
    }
}

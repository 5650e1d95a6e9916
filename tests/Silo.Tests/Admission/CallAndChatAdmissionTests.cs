using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Admission;

public sealed class CallAndChatAdmissionTests
{
    private static readonly Dictionary<string, string?> Voice = new()
    {
        ["Sip:Port"] = "0",
        ["Speech:Recognizer"] = "none",
        ["Speech:Synthesizer"] = "none",
        ["Sip:RtpPortMin"] = "27400",
        ["Sip:RtpPortMax"] = "27599",
    };

    [Fact]
    public async Task Past_capacity_a_new_INVITE_gets_503_with_Retry_After_while_the_call_in_progress_goes_on()
    {
        var engine = new HeldEngine();
        await using var silo = await OverloadEngine.StartAsync(engine, inFlight: 1, queued: 0, Voice);
        var sip = await silo.App.Services.GetRequiredService<SipListener>().Bound.WaitAsync(TimeSpan.FromSeconds(30));
        var calls = silo.App.Services.GetRequiredService<VoiceSignaling>();
        using var uac = new RawUac(sip.Port);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var inProgress = Guid.NewGuid().ToString("n");
        var answer = await uac.InviteAsync(inProgress, deadline.Token);
        Assert.Equal(200, answer.StatusCode);
        await uac.SendAsync(uac.Request("ACK", inProgress, 1, answer.ToTag), deadline.Token);
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(calls.StateOf(inProgress + "@127.0.0.1") == CallState.Established), TimeSpan.FromSeconds(30)));

        // Fill the engine: one webhook turn held, no queue.
        var held = OverloadEngine.PostAsync(silo, "919800022221", "wamid.hold");
        await OverloadEngine.HoldsAsync(engine, 1);

        var refused = await uac.InviteAsync(Guid.NewGuid().ToString("n"), deadline.Token);
        Assert.Equal(503, refused.StatusCode);
        Assert.NotNull(refused.Header("Retry-After"));

        // The call admitted before is still up and still answered in its dialog.
        Assert.Equal(CallState.Established, calls.StateOf(inProgress + "@127.0.0.1"));
        await uac.SendAsync(uac.Request("BYE", inProgress, 2, answer.ToTag), deadline.Token);
        var bye = await uac.ReceiveAsync(m => m.CallId == inProgress + "@127.0.0.1" && m.CSeqMethod == "BYE", deadline.Token);
        Assert.Equal(200, bye.StatusCode);

        // Capacity back: calls are taken again.
        engine.Release();
        using var served = await held;
        var later = Guid.NewGuid().ToString("n");
        var accepted = await uac.InviteAsync(later, deadline.Token);
        Assert.Equal(200, accepted.StatusCode);
        await uac.SendAsync(uac.Request("ACK", later, 1, accepted.ToTag), deadline.Token);
        await uac.SendAsync(uac.Request("BYE", later, 2, accepted.ToTag), deadline.Token);
    }

    [Fact]
    public async Task Past_the_chat_socket_limit_a_visitor_is_refused_with_503_and_Retry_After()
    {
        await using var silo = await OverloadEngine.StartAsync(new HeldEngine(), inFlight: 4, queued: 0, new()
        {
            ["Admission:Edge:MaxChatSockets"] = "1",
            ["Tenants:airline:Endpoints:1:Channel"] = "webchat",
            ["Tenants:airline:Endpoints:1:Value"] = "skyways-web",
        });
        using var first = await ConnectAsync(silo);
        Assert.Equal(WebSocketState.Open, first.State);

        using var second = new ClientWebSocket();
        second.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(silo, second));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.HttpStatusCode);
        Assert.True(second.HttpResponseHeaders!.ContainsKey("Retry-After"));

        // The first visitor leaves; the next one gets in.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            using var next = new ClientWebSocket();
            try
            {
                await ConnectAsync(silo, next);
                return next.State == WebSocketState.Open;
            }
            catch (WebSocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30)));
    }

    private static async Task<ClientWebSocket> ConnectAsync(SiloApp silo, ClientWebSocket? socket = null)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = silo.BaseAddress };
        using var page = await http.GetAsync("/chat");
        socket ??= new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", page.Headers.GetValues("Set-Cookie").First().Split(';')[0]);
        await socket.ConnectAsync(new UriBuilder(silo.BaseAddress) { Scheme = "ws", Path = "/chat/ws" }.Uri, CancellationToken.None);
        return socket;
    }

    /// <summary>INVITE / ACK / BYE over UDP, enough to hold a call up and to see how a new one is answered.</summary>
    private sealed class RawUac : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly IPEndPoint _server;

        public RawUac(int port)
        {
            _server = new IPEndPoint(IPAddress.Loopback, port);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        private int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public byte[] Request(string method, string callId, int cseq, string? toTag = null, string? sdp = null) => SipWriter.Request(method, $"sip:1000@{_server}",
        [
            new("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={SipWriter.NewBranch()};rport"),
            new("Max-Forwards", "70"),
            new("From", "<sip:+919800022222@127.0.0.1>;tag=uac"),
            new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
            new("Call-ID", callId + "@127.0.0.1"),
            new("CSeq", $"{cseq} {method}"),
            new("Contact", $"<sip:uac@127.0.0.1:{Port}>"),
        ], sdp is null ? null : "application/sdp", sdp is null ? default : Encoding.ASCII.GetBytes(sdp));

        public async Task<SipMessage> InviteAsync(string callId, CancellationToken ct)
        {
            var sdp = $"v=0\r\no=uac 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {((IPEndPoint)_rtp.LocalEndPoint!).Port} RTP/AVP 0 101\r\n" +
                      "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
            await SendAsync(Request("INVITE", callId, 1, sdp: sdp), ct);
            return await ReceiveAsync(m => m.CallId == callId + "@127.0.0.1" && m.CSeqMethod == "INVITE" && m.StatusCode >= 200, ct);
        }

        public async Task SendAsync(byte[] datagram, CancellationToken ct) => await _socket.SendToAsync(datagram, SocketFlags.None, _server, ct);

        public async Task<SipMessage> ReceiveAsync(Func<SipMessage, bool> match, CancellationToken ct)
        {
            var buffer = new byte[65_536];
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                var r = SipParser.Parse(buffer.AsSpan(0, n));
                if (!r.Ok) continue;
                if (r.Message!.IsRequest)
                {
                    // The engine's own in-dialog requests (BYE when it hangs up, session refresh) get a plain 200.
                    await SendAsync(SipWriter.Response(r.Message, 200, "OK"), ct);
                    continue;
                }
                if (match(r.Message)) return r.Message;
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _rtp.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Dtmf;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;
using Switchboard.TestSupport;

namespace Switchboard.Voice.Tests;

/// <summary>SRTP with SDES keys (RFC 4568) negotiated over SIP over TLS, and a trunk that requires both, against the real engine.</summary>
public sealed class SrtpCallTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    private async Task<(SiloApp App, int SipPort, int TlsPort, X509Certificate2 Server)> StartAsync(ICallMediaHandlerFactory? handlers = null)
    {
        var trunk = _certificates.EncryptedTrunkSettings(rtpBase: 36_000);
        var app = await SiloApp.StartAsync(trunk.Settings,
            configure: handlers is null ? null : b => b.Services.AddSingleton(handlers));
        var listener = app.App.Services.GetRequiredService<SipListener>();
        var udp = await listener.Bound.WaitAsync(TimeSpan.FromSeconds(10));
        var tls = await listener.TlsBound.WaitAsync(TimeSpan.FromSeconds(10));
        return (app, udp.Port, tls.Port, trunk.Certificate);
    }

    private static string Offer(int rtpPort, string profile, byte[]? key) =>
        $"v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {rtpPort} {profile} 0 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
        (key is null ? "" : $"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:{Convert.ToBase64String(key)}\r\n");

    private static List<SipHeader> Headers(string transport, int localPort, string callId, string method, int cseq, string? toTag = null) =>
    [
        new("Via", $"SIP/2.0/{transport} 127.0.0.1:{localPort};branch={SipWriter.NewBranch()};rport"),
        new("Max-Forwards", "70"),
        new("From", "<sip:anonymous@127.0.0.1>;tag=srtp1"),
        new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
        new("Call-ID", callId),
        new("CSeq", $"{cseq} {method}"),
        new("Contact", $"<sip:caller@127.0.0.1:{localPort};transport={transport.ToLowerInvariant()}>"),
    ];

    [Fact]
    public async Task Savp_offer_over_tls_is_answered_with_srtp_and_audio_and_digits_flow_encrypted_both_ways()
    {
        var handlers = new CountingHandlerFactory();
        var (app, _, tlsPort, server) = await StartAsync(handlers);
        await using var _ = app;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = new TlsSipClient();
        await client.ConnectAsync(tlsPort, server, null, deadline.Token);
        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var ourKey = RandomNumberGenerator.GetBytes(30);
        var callId = Guid.NewGuid().ToString("n");
        var uri = $"sip:1000@127.0.0.1:{tlsPort};transport=tls";

        await client.SendAsync(SipWriter.Request("INVITE", uri, Headers("TLS", client.Local.Port, callId, "INVITE", 1), "application/sdp",
            Encoding.ASCII.GetBytes(Offer(((IPEndPoint)rtp.LocalEndPoint!).Port, "RTP/SAVP", ourKey))), deadline.Token);
        var ok = await client.ReceiveAsync(m => !m.IsRequest && m.CSeqMethod == "INVITE" && m.StatusCode >= 200, deadline.Token);
        Assert.Equal(200, ok?.StatusCode);
        Assert.True(SessionDescription.TryParse(ok!.Body.Span, out var answer));
        Assert.Equal("RTP/SAVP", answer!.Media[0].Protocol);
        var media = MediaNegotiation.Negotiate(answer)!;
        Assert.Equal(7, media.RemoteCrypto!.Tag);
        Assert.NotEqual(ourKey, media.RemoteCrypto.KeyAndSalt);
        await client.SendAsync(SipWriter.Request("ACK", uri, Headers("TLS", client.Local.Port, callId, "ACK", 1, ok.ToTag)), deadline.Token);

        // The greeting's tone arrives as SRTP: every packet authenticates under the answer's key and carries non-silent PCMU.
        using var fromServer = SrtpContext.FromKeyAndSalt(media.RemoteCrypto.KeyAndSalt);
        var buffer = new byte[2048];
        var packets = 0;
        while (true)
        {
            var n = await rtp.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.Equal(RtpPacket.HeaderSize + 160 + SrtpContext.RtpOverhead, n);
            Assert.True(fromServer.TryUnprotectRtp(buffer.AsSpan(0, n), out var plain), $"packet {packets} did not authenticate");
            packets++;
            Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, plain), out var packet));
            if (packet.PayloadType == 0 && packet.Payload.ContainsAnyExcept((byte)0xFF)) break;
        }

        // Our SRTP audio and digits reach the call's media handler decrypted.
        var serverMedia = new IPEndPoint(IPAddress.Parse(media.RemoteAddress), media.RemotePort);
        using var toServer = SrtpContext.FromKeyAndSalt(ourKey);
        var send = new byte[256];
        ushort seq = 1;
        uint ts = 160;
        for (var i = 0; i < 10; i++, ts += 160)
        {
            RtpPacket.WriteHeader(send, i == 0, 0, seq++, ts, 0x1234);
            send.AsSpan(RtpPacket.HeaderSize, 160).Fill(0x80);
            var length = toServer.ProtectRtp(send, RtpPacket.HeaderSize + 160);
            await rtp.SendToAsync(send.AsMemory(0, length), SocketFlags.None, serverMedia, deadline.Token);
        }
        foreach (var digit in "42")
        {
            var sender = new DtmfSender(digit);
            var eventTs = ts;
            while (!sender.Finished)
            {
                var evt = sender.Next(out var first);
                RtpPacket.WriteHeader(send, first, 101, seq++, eventTs, 0x1234);
                evt.Write(send.AsSpan(RtpPacket.HeaderSize));
                var length = toServer.ProtectRtp(send, RtpPacket.HeaderSize + TelephoneEvent.Size);
                await rtp.SendToAsync(send.AsMemory(0, length), SocketFlags.None, serverMedia, deadline.Token);
                ts += 160;
            }
        }
        var handler = await handlers.Created.Task.WaitAsync(deadline.Token);
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(handler.Frames >= 5 && handler.Digits.Count >= 2)),
            $"frames {handler.Frames}, digits {string.Concat(handler.Digits)}");
        Assert.Equal(32124, handler.FirstSample); // 0x80 in µ-law, so the payload was decrypted
        Assert.Equal("42", string.Concat(handler.Digits));

        await client.SendAsync(SipWriter.Request("BYE", uri, Headers("TLS", client.Local.Port, callId, "BYE", 2, ok.ToTag)), deadline.Token);
        Assert.Equal(200, (await client.ReceiveAsync(m => !m.IsRequest && m.CSeqMethod == "BYE", deadline.Token))?.StatusCode);
    }

    [Fact]
    public async Task Encrypted_trunk_refuses_plain_rtp_over_tls_with_488_and_any_call_over_udp_with_403()
    {
        var (app, sipPort, tlsPort, server) = await StartAsync();
        await using var _ = app;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var client = new TlsSipClient();
        await client.ConnectAsync(tlsPort, server, null, deadline.Token);
        await client.SendAsync(SipWriter.Request("INVITE", $"sip:1000@127.0.0.1:{tlsPort};transport=tls",
            Headers("TLS", client.Local.Port, "plain-rtp", "INVITE", 1), "application/sdp", Encoding.ASCII.GetBytes(Offer(40_000, "RTP/AVP", null))), deadline.Token);
        var plain = await client.ReceiveAsync(m => !m.IsRequest && m.StatusCode >= 200, deadline.Token);
        Assert.Equal(488, plain?.StatusCode);
        Assert.Contains("requires SRTP", plain!.Header("Warning"));

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        await udp.SendToAsync(SipWriter.Request("INVITE", $"sip:1000@127.0.0.1:{sipPort}", Headers("UDP", port, "over-udp", "INVITE", 1), "application/sdp",
            Encoding.ASCII.GetBytes(Offer(40_002, "RTP/SAVP", RandomNumberGenerator.GetBytes(30)))), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, sipPort), deadline.Token);
        var buffer = new byte[8192];
        SipMessage? refused;
        do
        {
            var n = await udp.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            refused = SipParser.Parse(buffer.AsSpan(0, n)).Message;
        } while (refused is null || refused.StatusCode < 200);
        Assert.Equal(403, refused.StatusCode);
        Assert.Contains("requires SIP over TLS", refused.Header("Warning"));
    }

    public void Dispose() => _certificates.Dispose();

    private sealed class CountingHandlerFactory : ICallMediaHandlerFactory
    {
        public TaskCompletionSource<CountingHandler> Created { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ICallMediaHandler? Create(ICallSession call)
        {
            var handler = new CountingHandler();
            Created.TrySetResult(handler);
            return handler;
        }
    }

    private sealed class CountingHandler : ICallMediaHandler
    {
        private int _frames;
        public int Frames => Volatile.Read(ref _frames);
        public short FirstSample { get; private set; }
        public ConcurrentQueue<char> Digits { get; } = new();

        public void OnAudioFrame(ReadOnlySpan<short> pcm20Ms)
        {
            if (Interlocked.Increment(ref _frames) == 1) FirstSample = pcm20Ms[0];
        }

        public void OnDigit(char digit) => Digits.Enqueue(digit);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

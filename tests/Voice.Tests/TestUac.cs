using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Telephony.Dtmf;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;

namespace Switchboard.Voice.Tests;

/// <summary>
/// A tiny UAC for tests that need to look at media (sipp cannot assert on RTP payloads): INVITE/ACK/BYE over UDP,
/// PCMU and RFC 4733 packets out, RTP packets in.
/// </summary>
public sealed class TestUac : IDisposable
{
    private readonly Socket _sip = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly string _callId = Guid.NewGuid().ToString("n") + "@127.0.0.1";
    private readonly string _from;
    private readonly uint _ssrc = (uint)Random.Shared.Next();
    private ushort _seq = 100;
    private uint _ts = 1000;
    private string? _toTag;
    private IPEndPoint? _media;

    public TestUac(int sipPort, string from)
    {
        _server = new IPEndPoint(IPAddress.Loopback, sipPort);
        _from = from;
        _sip.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public string CallId => _callId;

    /// <summary>The engine's RTP address for this call, from its SDP answer.</summary>
    public IPEndPoint? Media => _media;

    /// <summary>Discards RTP already waiting on our socket, so what is read next was sent after this call.</summary>
    public void DrainRtp()
    {
        var buffer = new byte[2048];
        while (_rtp.Available > 0) _rtp.Receive(buffer);
    }

    private List<SipHeader> Headers(string method, int cseq) =>
    [
        new("Via", $"SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)_sip.LocalEndPoint!).Port};branch={SipWriter.NewBranch()};rport"),
        new("Max-Forwards", "70"),
        new("From", $"<sip:{_from}@127.0.0.1>;tag=uac1"),
        new("To", _toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={_toTag}"),
        new("Call-ID", _callId),
        new("CSeq", $"{cseq} {method}"),
        new("Contact", $"<sip:uac@127.0.0.1:{((IPEndPoint)_sip.LocalEndPoint!).Port}>"),
    ];

    public async Task CallAsync(CancellationToken cancellationToken, params SipHeader[] extraHeaders)
    {
        var sdp = $"v=0\r\no=uac 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {((IPEndPoint)_rtp.LocalEndPoint!).Port} RTP/AVP 0 101\r\n" +
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
        await _sip.SendToAsync(SipWriter.Request("INVITE", $"sip:1000@{_server}", [.. Headers("INVITE", 1), .. extraHeaders], "application/sdp", Encoding.ASCII.GetBytes(sdp)),
            SocketFlags.None, _server, cancellationToken);
        var ok = await ReceiveSipAsync(m => m.StatusCode == 200 && m.CSeqMethod == "INVITE", cancellationToken);
        _toTag = ok.ToTag;
        Assert.True(SessionDescription.TryParse(ok.Body.Span, out var answer));
        var media = MediaNegotiation.Negotiate(answer!)!;
        _media = new IPEndPoint(IPAddress.Parse(media.RemoteAddress), media.RemotePort);
        await _sip.SendToAsync(SipWriter.Request("ACK", $"sip:1000@{_server}", Headers("ACK", 1)), SocketFlags.None, _server, cancellationToken);
    }

    public async Task ByeAsync(CancellationToken cancellationToken)
    {
        await _sip.SendToAsync(SipWriter.Request("BYE", $"sip:1000@{_server}", Headers("BYE", 2)), SocketFlags.None, _server, cancellationToken);
        await ReceiveSipAsync(m => m.StatusCode == 200 && m.CSeqMethod == "BYE", cancellationToken);
    }

    /// <summary>Sends 20 ms PCMU frames (no pacing needed: the server's jitter buffer orders by sequence).</summary>
    public async Task SendAudioAsync(int frames, byte value, CancellationToken cancellationToken)
    {
        var packet = new byte[RtpPacket.HeaderSize + 160];
        for (var i = 0; i < frames; i++)
        {
            RtpPacket.WriteHeader(packet, i == 0, 0, _seq++, _ts, _ssrc);
            _ts += 160;
            packet.AsSpan(RtpPacket.HeaderSize).Fill(value);
            await _rtp.SendToAsync(packet, SocketFlags.None, _media!, cancellationToken);
        }
    }

    /// <summary>Keys digits as RFC 4733 events (interim packets and three end packets each).</summary>
    public async Task KeyAsync(string digits, CancellationToken cancellationToken)
    {
        var packet = new byte[RtpPacket.HeaderSize + 4];
        foreach (var d in digits)
        {
            var sender = new DtmfSender(d);
            var eventTs = _ts;
            while (!sender.Finished)
            {
                var evt = sender.Next(out var first);
                RtpPacket.WriteHeader(packet, first, 101, _seq++, eventTs, _ssrc);
                evt.Write(packet.AsSpan(RtpPacket.HeaderSize));
                await _rtp.SendToAsync(packet, SocketFlags.None, _media!, cancellationToken);
                _ts += 160;
            }
        }
    }

    /// <summary>Reads RTP from the server until a packet's payload satisfies <paramref name="match"/>.</summary>
    public async Task<int> ReceiveRtpUntilAsync(Func<byte, ReadOnlyMemory<byte>, bool> match, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        var count = 0;
        while (true)
        {
            var n = await _rtp.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (!RtpPacket.TryRead(buffer.AsSpan(0, n), out var p)) continue;
            count++;
            var payloadOffset = n - p.Payload.Length;
            if (match(p.PayloadType, buffer.AsMemory(payloadOffset, p.Payload.Length))) return count;
        }
    }

    private async Task<SipMessage> ReceiveSipAsync(Func<SipMessage, bool> match, CancellationToken cancellationToken)
    {
        var buffer = new byte[65_536];
        while (true)
        {
            var n = await _sip.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            var r = SipParser.Parse(buffer.AsSpan(0, n));
            if (r.Ok && r.Message!.CallId == _callId)
            {
                if (r.Message.IsRequest)
                {
                    await _sip.SendToAsync(SipWriter.Response(r.Message, 200, "OK"), SocketFlags.None, _server, cancellationToken);
                    continue;
                }
                if (match(r.Message)) return r.Message;
            }
        }
    }

    public void Dispose()
    {
        _sip.Dispose();
        _rtp.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;

namespace Switchboard.Bench.Fuzz;

/// <summary>A well-behaved UAC over UDP: OPTIONS, and a real call (INVITE, 200 with SDP, ACK, RTP from the engine, BYE).</summary>
public sealed class SipProbe : IDisposable
{
    private readonly Socket _sip = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;

    public SipProbe(IPEndPoint server)
    {
        _server = server;
        _sip.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public int RtpPort => ((IPEndPoint)_rtp.LocalEndPoint!).Port;
    private int Port => ((IPEndPoint)_sip.LocalEndPoint!).Port;

    public byte[] Request(string method, string callId, int cseq, string? toTag = null, string? sdp = null) => SipWriter.Request(method, $"sip:1000@{_server}",
    [
        new("Via", $"SIP/2.0/UDP 127.0.0.1:{Port};branch={SipWriter.NewBranch()};rport"),
        new("Max-Forwards", "70"),
        new("From", "<sip:+919800033333@127.0.0.1>;tag=probe"),
        new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
        new("Call-ID", callId),
        new("CSeq", $"{cseq} {method}"),
        new("Contact", $"<sip:probe@127.0.0.1:{Port}>"),
    ], sdp is null ? null : "application/sdp", sdp is null ? default : Encoding.ASCII.GetBytes(sdp));

    public async Task<bool> OptionsAsync(CancellationToken ct)
    {
        var callId = Guid.NewGuid().ToString("n");
        await _sip.SendToAsync(Request("OPTIONS", callId, 1), SocketFlags.None, _server, ct);
        return (await ReceiveAsync(callId, "OPTIONS", ct)).StatusCode == 200;
    }

    /// <summary>A call is up: the engine answered with SDP; returns its media address and the To tag, for the caller to use and to hang up.</summary>
    public async Task<(IPEndPoint Media, string CallId, string ToTag)?> StartCallAsync(CancellationToken ct)
    {
        var callId = Guid.NewGuid().ToString("n");
        var sdp = $"v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {RtpPort} RTP/AVP 0 101\r\n" +
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";
        await _sip.SendToAsync(Request("INVITE", callId, 1, sdp: sdp), SocketFlags.None, _server, ct);
        var answer = await ReceiveAsync(callId, "INVITE", ct);
        if (answer.StatusCode != 200 || !SessionDescription.TryParse(answer.Body.Span, out var offer) || MediaNegotiation.Negotiate(offer!) is not { } media)
            return null;
        await _sip.SendToAsync(Request("ACK", callId, 1, answer.ToTag), SocketFlags.None, _server, ct);
        return (new IPEndPoint(IPAddress.Parse(media.RemoteAddress), media.RemotePort), callId, answer.ToTag!);
    }

    /// <summary>One PCMU packet of silence from this probe's media port to the call's, as a phone sends as soon as it is answered.</summary>
    public Task SpeaksFirstAsync(IPEndPoint media)
    {
        var packet = new byte[RtpPacket.HeaderSize + 160];
        RtpPacket.WriteHeader(packet, true, 0, 1, 0, 0x0BE7);
        packet.AsSpan(RtpPacket.HeaderSize).Fill(0xFF);
        return _rtp.SendToAsync(packet, SocketFlags.None, media);
    }

    /// <summary>Waits for one RTP packet from the engine on this probe's media port.</summary>
    public async Task<bool> ReceivesRtpAsync(CancellationToken ct)
    {
        var buffer = new byte[2048];
        while (true)
        {
            var n = await _rtp.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (RtpPacket.TryRead(buffer.AsSpan(0, n), out _)) return true;
        }
    }

    public async Task<bool> HangUpAsync(string callId, string toTag, CancellationToken ct)
    {
        await _sip.SendToAsync(Request("BYE", callId, 2, toTag), SocketFlags.None, _server, ct);
        return (await ReceiveAsync(callId, "BYE", ct)).StatusCode == 200;
    }

    /// <summary>A full call: answered, media flows from the engine, hung up cleanly.</summary>
    public async Task<bool> RealCallAsync(CancellationToken ct)
    {
        if (await StartCallAsync(ct) is not { } call) return false;
        var media = await ReceivesRtpAsync(ct);
        return media && await HangUpAsync(call.CallId, call.ToTag, ct);
    }

    private async Task<SipMessage> ReceiveAsync(string callId, string method, CancellationToken ct)
    {
        var buffer = new byte[65_536];
        while (true)
        {
            var n = await _sip.ReceiveAsync(buffer, SocketFlags.None, ct);
            var r = SipParser.Parse(buffer.AsSpan(0, n));
            if (!r.Ok || r.Message!.CallId != callId) continue;
            if (r.Message.IsRequest)
            {
                await _sip.SendToAsync(SipWriter.Response(r.Message, 200, "OK"), SocketFlags.None, _server, ct);
                continue;
            }
            if (r.Message.CSeqMethod == method && r.Message.StatusCode >= 200) return r.Message;
        }
    }

    public void Dispose()
    {
        _sip.Dispose();
        _rtp.Dispose();
    }
}

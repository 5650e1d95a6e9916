using System.Net;
using System.Text;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Speech;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Bench;

/// <summary>
/// Bytes allocated per call by each step of the server's call set-up that runs without a socket or a grain, measured on
/// one thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) over many repetitions with the INVITE the load UAC
/// sends: parsing the INVITE, its SDP, offer/answer, the 200 (Via stamping included), the ACK, the tags, the call
/// reference the logs carry, and the greeting's text work (speakable rendering, sentence split). The rest of a call's
/// set-up (dialog, transaction, RTP sockets, timers, the greeting turn through the grains) is in the ramp's
/// whole-process figure and its allocation samples by type.
/// </summary>
public static class VoiceSetupAllocation
{
    private const string Greeting = "Welcome back. You can say what you need, or press 1 for your orders and 2 for an agent.";

    public static void Print()
    {
        var server = new IPEndPoint(IPAddress.Loopback, 25060);
        var peer = new SipPeer(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 25062));
        var sdp = "v=0\r\no=load 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 25064 RTP/AVP 0 101\r\n" +
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n";
        List<SipHeader> Headers(string method, string? toTag) =>
        [
            new("Via", "SIP/2.0/UDP 127.0.0.1:25062;branch=z9hG4bK0123456789abcdef;rport"),
            new("Max-Forwards", "70"),
            new("From", "<sip:+919810000007@127.0.0.1>;tag=t7"),
            new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
            new("Call-ID", "load-7-1234@127.0.0.1"),
            new("CSeq", $"1 {method}"),
            new("Contact", "<sip:load@127.0.0.1:25062>"),
        ];
        var inviteBytes = SipWriter.Request("INVITE", $"sip:1000@{server}", Headers("INVITE", null), "application/sdp", Encoding.ASCII.GetBytes(sdp));
        var ackBytes = SipWriter.Request("ACK", $"sip:1000@{server}", Headers("ACK", "0a1b2c3d4e5f"), null);
        var invite = SipParser.Parse(inviteBytes).Message!;
        SessionDescription.TryParse(invite.Body.Span, out var offer);
        var negotiated = MediaNegotiation.Negotiate(offer!)!;
        var answer = MediaNegotiation.Answer(offer!, negotiated, "127.0.0.1", 40000, 12345, 1);
        var renderer = new VoiceRenderer();
        var reply = new Switchboard.Grains.Interfaces.Conversation.EngineReply(Greeting);

        var rows = new (string Step, Func<object?> Run)[]
        {
            ("parse the INVITE (SipParser)", () => SipParser.Parse(inviteBytes).Message),
            ("parse its SDP (SessionDescription)", () => SessionDescription.TryParse(invite.Body.Span, out var o) ? o : null),
            ("offer/answer (Negotiate)", () => MediaNegotiation.Negotiate(offer!)),
            ("write the SDP answer", () => MediaNegotiation.Answer(offer!, negotiated, "127.0.0.1", 40000, 12345, 1)),
            ("write the 200 (Via stamped, Record-Route, SDP)", () => SipWriter.Response(invite, 200, "OK", peer, "0a1b2c3d4e5f",
                [new SipHeader("Contact", "<sip:switchboard@127.0.0.1:25060>"), new SipHeader("Allow", SipWriter.Allow), new SipHeader("Supported", SipWriter.Supported)],
                "application/sdp", answer, copyRecordRoute: true)),
            ("parse the ACK (SipParser)", () => SipParser.Parse(ackBytes).Message),
            ("a To tag (SipWriter.NewTag)", SipWriter.NewTag),
            ("the call reference in logs (CallReference.For)", () => CallReference.For(invite.CallId)),
            ("greeting: speakable text (VoiceRenderer.Render)", () => renderer.Render(reply)),
            ("greeting: sentences (TtsPromptAudio.Sentences)", () => TtsPromptAudio.Sentences(Greeting)),
        };
        Console.WriteLine("call set-up allocation per call, by step (one thread, 2,000 repetitions each; B per call):");
        long total = 0;
        foreach (var (step, run) in rows)
        {
            for (var i = 0; i < 200; i++) GC.KeepAlive(run());
            const int n = 2_000;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < n; i++) GC.KeepAlive(run());
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
            total += bytes;
            Console.WriteLine($"  {step,-52} {bytes,6} B");
        }
        Console.WriteLine($"  {"sum",-52} {total,6} B");
    }
}

using System.Net;
using System.Text;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Tests;

public sealed class SipParserTests
{
    internal const string Invite = SipSamples.Invite;

    [Fact]
    public void Parses_a_request_with_compact_headers_folding_and_several_vias()
    {
        var r = SipParser.Parse(Encoding.UTF8.GetBytes(Invite));
        Assert.True(r.Ok, r.Status.ToString());
        var m = r.Message!;
        Assert.Equal("INVITE", m.Method);
        Assert.Equal("sip:1000@127.0.0.1:5060", m.RequestUri);
        Assert.Equal(3, m.Vias.Count);
        Assert.Equal("z9hG4bK-1", m.TopBranch);
        Assert.Equal("call-1@127.0.0.1", m.CallId);
        Assert.Equal("abc", m.FromTag);
        Assert.Null(m.ToTag);
        Assert.Equal(1, m.CSeqNumber);
        Assert.Equal("folded across lines", m.Header("Subject"));
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(m.Body.Span));
        Assert.Equal("+919800000001", NameAddr.User(NameAddr.Uri(m.From)));
    }

    [Fact]
    public void Stream_framing_waits_for_the_whole_body_and_reports_the_length()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite + Invite);
        Assert.Equal(SipParseStatus.Incomplete, SipParser.Parse(bytes.AsSpan(0, Invite.Length - 2), stream: true).Status);
        var r = SipParser.Parse(bytes, stream: true);
        Assert.True(r.Ok);
        Assert.Equal(Encoding.UTF8.GetByteCount(Invite), r.Consumed);
    }

    [Theory]
    [InlineData("Content-Length: 4\r\n", "Content-Length: 400\r\n", SipParseStatus.BadContentLength)]
    [InlineData("Content-Length: 4\r\n", "Content-Length: -1\r\n", SipParseStatus.BadContentLength)]
    [InlineData("Content-Length: 4\r\n", "Content-Length: 4\r\nContent-Length: 5\r\n", SipParseStatus.BadContentLength)]
    [InlineData("CSeq: 1 INVITE\r\n", "CSeq: 1 BYE\r\n", SipParseStatus.BadCSeq)]
    [InlineData("CSeq: 1 INVITE\r\n", "CSeq: 99999999999 INVITE\r\n", SipParseStatus.BadCSeq)]
    [InlineData("i: call-1@127.0.0.1\r\n", "", SipParseStatus.MissingHeader)]
    [InlineData("Max-Forwards: 70\r\n", "Max Forwards: 70\r\n", SipParseStatus.BadHeader)]
    [InlineData("INVITE sip:1000@127.0.0.1:5060 SIP/2.0", "INVITE sip:1000@127.0.0.1:5060 SIP/3.0", SipParseStatus.BadStartLine)]
    public void Malformed_requests_get_a_typed_rejection_and_a_400_when_one_can_be_sent(string find, string replace, SipParseStatus expected)
    {
        var r = SipParser.Parse(Encoding.UTF8.GetBytes(Invite.Replace(find, replace)));
        Assert.Equal(expected, r.Status);
        if (expected == SipParseStatus.BadContentLength || (expected == SipParseStatus.BadCSeq && !replace.Contains("99999", StringComparison.Ordinal)))
        {
            Assert.NotNull(r.Message);
            var response = Encoding.UTF8.GetString(SipWriter.Response(r.Message!, 400, r.Reason));
            Assert.StartsWith("SIP/2.0 400 ", response);
            Assert.Contains("Call-ID: call-1@127.0.0.1", response);
        }
    }

    [Fact]
    public void Limits_are_enforced_before_allocation()
    {
        var longLine = Invite.Replace("Subject: folded", "Subject: " + new string('x', 5000));
        Assert.Equal(SipParseStatus.LineTooLong, SipParser.Parse(Encoding.UTF8.GetBytes(longLine)).Status);
        var many = Invite.Replace("Max-Forwards: 70\r\n", string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: {i}\r\n")));
        Assert.Equal(SipParseStatus.TooManyHeaders, SipParser.Parse(Encoding.UTF8.GetBytes(many)).Status);
        var huge = new byte[70_000];
        Array.Fill(huge, (byte)'a');
        Assert.Equal(SipParseStatus.TooLarge, SipParser.Parse(huge).Status);
    }

    [Fact]
    public void Invalid_utf8_and_control_bytes_are_rejected()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        var bad = bytes.ToArray();
        bad[Invite.IndexOf("Caller", StringComparison.Ordinal)] = 0xC3; // a lead byte with no continuation
        bad[Invite.IndexOf("Caller", StringComparison.Ordinal) + 1] = 0x28;
        Assert.Equal(SipParseStatus.BadEncoding, SipParser.Parse(bad).Status);
        var nul = bytes.ToArray();
        nul[Invite.IndexOf("Caller", StringComparison.Ordinal)] = 0;
        Assert.Equal(SipParseStatus.BadEncoding, SipParser.Parse(nul).Status);
    }

    [Fact]
    public void Response_stamps_received_and_rport_on_the_top_via_only()
    {
        var m = SipParser.Parse(Encoding.UTF8.GetBytes(Invite)).Message!;
        var peer = new SipPeer(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40000));
        var text = Encoding.UTF8.GetString(SipWriter.Response(m, 180, "Ringing", peer, "totag"));
        var vias = text.Split("\r\n").Where(l => l.StartsWith("Via: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, vias.Count);
        Assert.Equal("Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1;rport=40000;received=192.0.2.7", vias[0]);
        Assert.DoesNotContain("received", vias[1]);
        Assert.Contains("To: <sip:1000@127.0.0.1>;tag=totag", text);
    }

    /// <summary>
    /// Property: thousands of mutated messages (truncated, bytes flipped, spliced, huge headers, bad lengths, bad UTF-8)
    /// never throw, always end in a typed status, and every rejected one that names a replyable request yields a 400.
    /// </summary>
    [Fact]
    public void Mutated_messages_never_crash_and_replyable_ones_yield_a_400()
    {
        var random = new Random(4733);
        var seeds = new[]
        {
            Encoding.UTF8.GetBytes(Invite),
            Encoding.UTF8.GetBytes(Invite.Replace("INVITE sip:1000@127.0.0.1:5060 SIP/2.0", "SIP/2.0 200 OK")),
            Encoding.UTF8.GetBytes(Invite.Replace("INVITE", "BYE")),
        };
        var statuses = new Dictionary<SipParseStatus, int>();
        var fourHundreds = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = SipSamples.Mutate(seeds[random.Next(seeds.Length)], random);
            var r = SipParser.Parse(bytes, stream: random.Next(4) == 0);
            statuses[r.Status] = statuses.GetValueOrDefault(r.Status) + 1;
            if (r.Ok || r.Status == SipParseStatus.Incomplete) continue;
            if (r.Message is { } m)
            {
                Assert.True(m.IsRequest);
                var response = SipWriter.Response(m, 400, r.Reason);
                var reparsed = SipParser.Parse(response);
                Assert.True(reparsed.Ok, $"our 400 does not parse: {reparsed.Status}");
                Assert.Equal(400, reparsed.Message!.StatusCode);
                fourHundreds++;
            }
        }
        // The mutations reach the interesting outcomes, not just one of them.
        Assert.True(statuses.GetValueOrDefault(SipParseStatus.Ok) > 100);
        Assert.True(statuses.Keys.Count(k => k != SipParseStatus.Ok) >= 6, string.Join(", ", statuses));
        Assert.True(fourHundreds > 100);
    }
}

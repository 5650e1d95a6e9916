using System.Text;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;

namespace Switchboard.Telephony.Tests;

/// <summary>The span-based set-up parsing reads what the split-based one did (docs/voice.md, call set-up garbage).</summary>
public class SetupParsingTests
{
    [Fact]
    public void Sdp_tokens_are_split_on_runs_of_spaces_and_a_control_character_in_one_is_malformed()
    {
        var spaced = "v=0\r\no=x 1  7 IN IP4 10.0.0.1\r\nc=IN IP4  10.0.0.2/127\r\nm=audio  49170 RTP/AVP  0 101\r\na=rtpmap:101 telephone-event/8000 \r\na=ptime:30\r\n";
        Assert.True(SessionDescription.TryParse(Encoding.ASCII.GetBytes(spaced), out var sdp));
        Assert.Equal(7, sdp!.OriginVersion);
        Assert.Equal("10.0.0.2", sdp.ConnectionAddress);
        var audio = Assert.Single(sdp.Media);
        Assert.Equal(49170, audio.Port);
        Assert.Equal(["0", "101"], audio.Formats);
        Assert.Equal("telephone-event/8000", audio.RtpMaps[101]);
        Assert.Equal(30, audio.Ptime);

        Assert.False(SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 49170 RTP/AVP 0\t101\r\n"), out _));
        Assert.False(SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nc=IN IP4\r\nm=audio 49170 RTP/AVP 0\r\n"), out _));
        Assert.False(SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nm=audio x RTP/AVP 0\r\n"), out _));
    }

    [Fact]
    public void Header_names_in_any_case_are_found_and_parameters_are_read_without_the_uri_part()
    {
        var request = "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nvia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-7\r\nFROM: <sip:a@127.0.0.1;tag=uri>;tag=t1\r\n" +
                      "to: <sip:1000@127.0.0.1>\r\ncall-id: c1\r\ncseq: 1 INVITE\r\nX-Custom: kept\r\ncontent-length: 0\r\n\r\n";
        var m = SipParser.Parse(Encoding.ASCII.GetBytes(request)).Message!;
        Assert.Equal("c1", m.CallId);
        Assert.Equal("t1", m.FromTag);
        Assert.Null(m.ToTag);
        Assert.Equal("z9hG4bK-7", m.TopBranch);
        Assert.Equal("kept", m.Header("x-custom"));
        Assert.Equal("INVITE", m.CSeqMethod);
        Assert.True(NameAddr.HasParam("<sip:b@h>;lr;tag=", "tag"));
        Assert.Equal("", NameAddr.Param("<sip:b@h>;lr;tag=", "tag"));
        Assert.Equal("", NameAddr.Param("<sip:b@h>;lr", "lr"));
        Assert.False(NameAddr.HasParam("<sip:b@h;tag=inside>", "tag"));
    }

    [Fact]
    public void Written_messages_encode_characters_outside_the_basic_plane_whole_wherever_the_builder_splits_them()
    {
        // Display names long enough that the builder grows chunks; the emoji lands at every offset across the runs.
        for (var pad = 0; pad < 40; pad++)
        {
            var name = new string('a', 480 + pad) + "\U0001F600";
            var headers = new List<SipHeader> { new("From", $"\"{name}\" <sip:a@h>;tag=1"), new("To", "<sip:b@h>"), new("Call-ID", "c"), new("CSeq", "1 OPTIONS") };
            var bytes = SipWriter.Request("OPTIONS", "sip:b@h", headers);
            Assert.Contains(name, Encoding.UTF8.GetString(bytes));
            Assert.DoesNotContain("\uFFFD", Encoding.UTF8.GetString(bytes));
        }
    }
}

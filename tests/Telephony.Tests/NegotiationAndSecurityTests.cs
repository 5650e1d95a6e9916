using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Media;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Security;
using Switchboard.Telephony.Sip;

namespace Switchboard.Telephony.Tests;

public sealed class NegotiationAndSecurityTests
{
    private const string Offer = "v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
        "m=video 5000 RTP/AVP 96\r\nm=audio 6000 RTP/AVP 18 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n";

    [Fact]
    public void Answer_keeps_m_lines_in_order_picks_the_first_g711_and_reuses_the_event_payload_type()
    {
        Assert.True(SessionDescription.TryParse(Encoding.ASCII.GetBytes(Offer), out var offer));
        var chosen = MediaNegotiation.Negotiate(offer!);
        Assert.NotNull(chosen);
        Assert.Equal(AudioCodec.Pcma, chosen!.Codec);
        Assert.Equal(96, chosen.TelephoneEventPayloadType);
        Assert.True(chosen.RemoteOnHold);
        Assert.False(chosen.WeSend);
        var answer = Encoding.ASCII.GetString(MediaNegotiation.Answer(offer!, chosen, "127.0.0.1", 20000, 42, 1));
        var mLines = answer.Split("\r\n").Where(l => l.StartsWith("m=", StringComparison.Ordinal)).ToList();
        Assert.Equal(["m=video 0 RTP/AVP 96", "m=audio 20000 RTP/AVP 8 96"], mLines);
        Assert.Contains("a=rtpmap:96 telephone-event/8000", answer);
        Assert.Contains("a=recvonly", answer);
        Assert.Contains("a=ptime:20", answer);
    }

    [Fact]
    public void Offer_without_g711_cannot_be_answered()
    {
        Assert.True(SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 9 18\r\n"), out var offer));
        Assert.Null(MediaNegotiation.Negotiate(offer!));
        Assert.True(SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/SAVP 0\r\n"), out var srtp));
        Assert.Null(MediaNegotiation.Negotiate(srtp!));
        Assert.False(SessionDescription.TryParse(Encoding.ASCII.GetBytes("not sdp"), out _));
    }

    [Fact]
    public void Allow_list_accepts_loopback_and_listed_ranges_only()
    {
        var guard = new TrunkGuard(new TrunkPolicy { AllowedSources = ["10.1.0.0/16", "192.0.2.9"] }, TimeProvider.System);
        Assert.True(guard.IsAllowedSource(IPAddress.Loopback));
        Assert.True(guard.IsAllowedSource(IPAddress.Parse("10.1.200.3")));
        Assert.True(guard.IsAllowedSource(IPAddress.Parse("::ffff:192.0.2.9")));
        Assert.False(guard.IsAllowedSource(IPAddress.Parse("10.2.0.1")));
        Assert.False(guard.IsAllowedSource(IPAddress.Parse("192.0.2.10")));
        var closed = new TrunkGuard(new TrunkPolicy { AllowLoopback = false }, TimeProvider.System);
        Assert.False(closed.IsAllowedSource(IPAddress.Loopback));
    }

    [Theory]
    [InlineData("MD5")]
    [InlineData("SHA-256")]
    public void Digest_accepts_the_right_password_and_rejects_the_wrong_one_and_stale_nonces(string algorithm)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var digest = new DigestAuthenticator("switchboard", [new SipCredential { Username = "sbc", Password = "s3cret" }], time);
        var challenge = digest.Challenges().Single(c => c.Contains($"algorithm={algorithm}"));
        var nonce = challenge.Split("nonce=\"")[1].Split('"')[0];
        string Authorization(string password)
        {
            Func<string, string> h = algorithm == "MD5"
                ? s => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)))
                : s => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
            var ha1 = h($"sbc:switchboard:{password}");
            var ha2 = h("INVITE:sip:1000@127.0.0.1");
            var response = h($"{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}");
            return $"Digest username=\"sbc\", realm=\"switchboard\", nonce=\"{nonce}\", uri=\"sip:1000@127.0.0.1\", algorithm={algorithm}, qop=auth, nc=00000001, cnonce=\"c0ffee\", response=\"{response}\"";
        }
        Assert.True(digest.Verify(Authorization("s3cret"), "INVITE", "sip:1000@127.0.0.1"));
        Assert.False(digest.Verify(Authorization("guess"), "INVITE", "sip:1000@127.0.0.1"));
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.False(digest.Verify(Authorization("s3cret"), "INVITE", "sip:1000@127.0.0.1"));
    }

    [Fact]
    public async Task Wav_prompts_play_by_text_and_fall_back_to_a_tone()
    {
        var dir = Directory.CreateTempSubdirectory("prompts-");
        try
        {
            var recorded = Enumerable.Range(0, 800).Select(i => (short)(i * 10)).ToArray();
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, WavPromptAudio.FileNameFor("Welcome to Switchboard.")), WavPromptAudio.ToWav(recorded));
            var prompts = new WavPromptAudio(dir.FullName, NullLogger<WavPromptAudio>.Instance);
            Assert.Equal(recorded, await prompts.Render8kHzAsync("  welcome to   SWITCHBOARD. "));
            var fallback = await prompts.Render8kHzAsync("Something never recorded");
            Assert.Equal(4000, fallback.Length); // 200 ms tone + 300 ms silence at 8 kHz
            Assert.Contains(fallback, s => s != 0);
            Assert.All(fallback[1600..], s => Assert.Equal(0, s));
        }
        finally
        {
            dir.Delete(true);
        }
    }
}

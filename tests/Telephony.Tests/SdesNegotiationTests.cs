using System.Text;
using Switchboard.Telephony.Sdp;

namespace Switchboard.Telephony.Tests;

/// <summary>SDES (RFC 4568) in offer/answer: which offers get SRTP, and what the answer carries.</summary>
public sealed class SdesNegotiationTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 30).Select(i => (byte)i).ToArray());

    private static SessionDescription Parse(string media) =>
        SessionDescription.TryParse(Encoding.ASCII.GetBytes("v=0\r\nc=IN IP4 192.0.2.1\r\n" + media), out var sdp) ? sdp! : throw new FormatException();

    [Fact]
    public void Savp_offer_is_answered_savp_with_the_offers_tag_and_our_own_key()
    {
        var offer = Parse("m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + Convert.ToBase64String(new byte[46]) + "\r\n"
            + "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + Key + "|2^31\r\n");
        var chosen = MediaNegotiation.Negotiate(offer)!;
        Assert.True(chosen.Secure);
        Assert.Equal(2, chosen.RemoteCrypto!.Tag);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (byte)i), chosen.RemoteCrypto.KeyAndSalt);

        var ours = Enumerable.Repeat((byte)0xAA, 30).ToArray();
        var answer = Encoding.ASCII.GetString(MediaNegotiation.Answer(offer, chosen, "127.0.0.1", 20000, 1, 1, ours));
        Assert.Contains("m=audio 20000 RTP/SAVP 0", answer);
        Assert.Contains("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + Convert.ToBase64String(ours) + "\r\n", answer);
        Assert.DoesNotContain("a=crypto:1", answer);
    }

    [Fact]
    public void Savp_offer_with_only_unsupported_suites_or_an_mki_is_not_answered()
    {
        Assert.Null(MediaNegotiation.Negotiate(Parse("m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + Key + "\r\n")));
        Assert.Null(MediaNegotiation.Negotiate(Parse("m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key + "|2^20|1:4\r\n")));
    }

    [Fact]
    public void Srtp_requirement_skips_plain_streams_for_a_later_savp_one()
    {
        var offer = Parse("m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key + "\r\n");
        Assert.False(MediaNegotiation.Negotiate(offer)!.Secure);
        var secure = MediaNegotiation.Negotiate(offer, requireSrtp: true)!;
        Assert.Equal(1, secure.MediaIndex);
        Assert.True(secure.Secure);
        Assert.Null(MediaNegotiation.Negotiate(Parse("m=audio 4000 RTP/AVP 0\r\n"), requireSrtp: true));
    }
}

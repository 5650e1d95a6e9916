using System.Buffers.Binary;
using System.Security.Cryptography;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

/// <summary>SRTP/SRTCP with AES_CM_128_HMAC_SHA1_80 against RFC 3711's test vectors and libsrtp's reference packets.</summary>
public sealed class SrtpTests
{
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Aes_counter_mode_keystream_matches_rfc3711_appendix_b2()
    {
        var key = Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C");
        var first = new byte[48];
        SrtpContext.KeystreamXor(key, Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), first);
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0",
            Convert.ToHexString(first));
        var last = new byte[48];
        SrtpContext.KeystreamXor(key, Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"), last);
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4" + "362B7C3C6773516318A077D7FC5073AE" + "6A2CC3787889374FBEB4C81B17BA6C44",
            Convert.ToHexString(last));
    }

    [Fact]
    public void Session_keys_derive_as_in_rfc3711_appendix_b3()
    {
        var cipher = new byte[16];
        var salt = new byte[14];
        var auth = new byte[20];
        SrtpContext.DeriveSessionKey(MasterKey, MasterSalt, 0, cipher);
        SrtpContext.DeriveSessionKey(MasterKey, MasterSalt, 2, salt);
        SrtpContext.DeriveSessionKey(MasterKey, MasterSalt, 1, auth);
        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(cipher));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(salt));
        Assert.Equal("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", Convert.ToHexString(auth));
    }

    private static byte[] RtpPlain => Convert.FromHexString("800F1234DECAFBADCAFEBABE" + "ABABABABABABABABABABABABABABABAB");

    [Fact]
    public void Rtp_packet_protects_to_libsrtps_reference_ciphertext_and_back()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        var buffer = new byte[64];
        RtpPlain.CopyTo(buffer, 0);
        var length = sender.ProtectRtp(buffer, RtpPlain.Length);
        Assert.Equal("800F1234DECAFBADCAFEBABE" + "4E55DC4CE79978D88CA4D215949D2402" + "B78D6ACC99EA179B8DBB",
            Convert.ToHexString(buffer, 0, length));

        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        Assert.True(receiver.TryUnprotectRtp(buffer.AsSpan(0, length), out var plain));
        Assert.Equal(Convert.ToHexString(RtpPlain), Convert.ToHexString(buffer, 0, plain));
    }

    [Fact]
    public void Rtcp_packet_protects_to_libsrtps_reference_ciphertext_and_back()
    {
        var rtcp = Convert.FromHexString("81C8000BCAFEBABE" + "ABABABABABABABABABABABABABABABAB");
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        var buffer = new byte[64];
        rtcp.CopyTo(buffer, 0);
        var length = sender.ProtectRtcp(buffer, rtcp.Length);
        Assert.Equal("81C8000BCAFEBABE" + "7128035BE487B9BDBEF89041F977A5A8" + "80000001" + "993E08CD54D6C1230798",
            Convert.ToHexString(buffer, 0, length));

        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        Assert.True(receiver.TryUnprotectRtcp(buffer.AsSpan(0, length), out var plain));
        Assert.Equal(Convert.ToHexString(rtcp), Convert.ToHexString(buffer, 0, plain));
    }

    [Fact]
    public void Tampered_srtp_packet_is_rejected_and_left_unchanged()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        var buffer = new byte[64];
        RtpPlain.CopyTo(buffer, 0);
        var length = sender.ProtectRtp(buffer, RtpPlain.Length);
        buffer[20] ^= 0x01;
        var before = buffer.AsSpan(0, length).ToArray();
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        Assert.False(receiver.TryUnprotectRtp(buffer.AsSpan(0, length), out _));
        Assert.Equal(before, buffer.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void Rollover_counter_follows_the_sequence_number_across_its_wrap_and_a_late_packet()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        var sent = new Dictionary<ushort, (string Plain, byte[] Srtp)>();
        foreach (var seq in new ushort[] { 65_534, 65_535, 0, 1 })
        {
            var buffer = new byte[64];
            RtpPlain.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq);
            var plain = Convert.ToHexString(buffer, 0, RtpPlain.Length);
            var length = sender.ProtectRtp(buffer, RtpPlain.Length);
            sent[seq] = (plain, buffer[..length]);
        }
        // Packets after the wrap are authenticated under ROC 1: a receiver with no history (ROC 0) rejects them.
        using (var fresh = new SrtpContext(MasterKey, MasterSalt))
            Assert.False(fresh.TryUnprotectRtp(sent[0].Srtp.ToArray(), out _));

        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        foreach (var seq in new ushort[] { 65_534, 0, 1, 65_535 })
        {
            var packet = sent[seq].Srtp.ToArray();
            Assert.True(receiver.TryUnprotectRtp(packet, out var length), $"seq {seq}");
            Assert.Equal(sent[seq].Plain, Convert.ToHexString(packet, 0, length));
        }
    }

    [Fact]
    public void Replayed_or_too_old_srtp_packets_are_rejected_while_reordering_inside_the_window_is_accepted()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        var sent = new Dictionary<ushort, byte[]>();
        for (ushort seq = 100; seq < 200; seq++)
        {
            var buffer = new byte[64];
            RtpPlain.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq);
            sent[seq] = buffer[..sender.ProtectRtp(buffer, RtpPlain.Length)];
        }
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        bool Accept(ushort seq) => receiver.TryUnprotectRtp(sent[seq].ToArray(), out _);

        Assert.True(Accept(100));
        Assert.False(Accept(100)); // the same packet again
        Assert.True(Accept(180));
        Assert.True(Accept(150)); // late, 30 behind: inside the window
        Assert.False(Accept(150));
        Assert.False(Accept(110)); // 70 behind the highest: outside the window
        Assert.True(Accept(181));
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// One direction of SRTP and SRTCP (RFC 3711) with AES_CM_128_HMAC_SHA1_80: session keys derived from the SDES master
/// key and salt (key derivation rate 0), AES counter mode as an AES-ECB keystream over counter blocks, HMAC-SHA1 tags cut
/// to 80 bits. Protecting and unprotecting work in place and allocate nothing. Use one context per direction; RTP and RTCP
/// each may be used from one thread at a time. Received SRTP packets pass a 64-packet replay window; SRTCP has none.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    public const int MasterKeyLength = 16;
    public const int MasterSaltLength = 14;
    public const int TagLength = 10;
    /// <summary>What protecting adds to an RTP packet (the tag), and to an RTCP packet (E flag with index, then the tag).</summary>
    public const int RtpOverhead = TagLength;
    public const int RtcpOverhead = 4 + TagLength;
    private const int MaxBlocks = 96; // 1,536 bytes of payload per packet

    private readonly Direction _rtp;
    private readonly Direction _rtcp;
    // Sender: the rollover counter and last sequence; receiver: the highest sequence seen (s_l) and its ROC.
    private uint _roc;
    private int _lastSeq = -1;
    private uint _srtcpIndex;
    // Receiver: the replay window (RFC 3711 §3.3.2) — the highest authenticated index and a bitmap of the 64 below it.
    private ulong _highestIndex;
    private ulong _window;
    private bool _anyReceived;
    public const int ReplayWindow = 64;

    public SrtpContext(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != MasterKeyLength || masterSalt.Length != MasterSaltLength)
            throw new ArgumentException("AES_CM_128_HMAC_SHA1_80 needs a 16-byte master key and a 14-byte master salt.");
        _rtp = new Direction(masterKey, masterSalt, 0);
        _rtcp = new Direction(masterKey, masterSalt, 3);
    }

    /// <summary>From the SDES inline key: 30 bytes, master key then master salt.</summary>
    public static SrtpContext FromKeyAndSalt(ReadOnlySpan<byte> keyAndSalt) =>
        new(keyAndSalt[..MasterKeyLength], keyAndSalt.Slice(MasterKeyLength, MasterSaltLength));

    /// <summary>RFC 3711 §4.3.1: the session key of <paramref name="label"/> (0 cipher, 1 auth, 2 salt; 3–5 for SRTCP), kdr 0.</summary>
    public static void DeriveSessionKey(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        Span<byte> iv = stackalloc byte[16];
        masterSalt.CopyTo(iv);
        iv[7] ^= label; // key_id = label || index DIV kdr (0), aligned to the right of the 112-bit salt
        output.Clear();
        KeystreamXor(masterKey, iv, output);
    }

    /// <summary>AES-CM (RFC 3711 §4.1.1) under <paramref name="key"/>: XORs the keystream of counter blocks IV, IV+1, … over <paramref name="data"/>.</summary>
    public static void KeystreamXor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data)
    {
        using var counterMode = new CounterMode(key);
        counterMode.Xor(iv, data);
    }

    /// <summary>Encrypts and tags an RTP packet in place; <paramref name="buffer"/> needs <see cref="RtpOverhead"/> spare bytes. Returns the SRTP length.</summary>
    public int ProtectRtp(Span<byte> buffer, int length)
    {
        var header = RtpHeaderLength(buffer[..length]);
        if (header < 0) throw new ArgumentException("not an RTP packet");
        var seq = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        if (_lastSeq >= 0 && seq < _lastSeq && _lastSeq - seq > 0x8000) _roc++; // the sequence number wrapped
        _lastSeq = seq;
        var index = ((ulong)_roc << 16) | seq;
        Span<byte> iv = stackalloc byte[16];
        _rtp.PacketIv(ssrc, index, iv);
        _rtp.Cipher.Xor(iv, buffer[header..length]);
        _rtp.RtpTag(buffer[..length], _roc, buffer.Slice(length, TagLength));
        return length + TagLength;
    }

    /// <summary>Checks the tag and decrypts an SRTP packet in place; false (and nothing changed) when it does not authenticate.</summary>
    public bool TryUnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < 12 + TagLength) return false;
        var authenticated = packet.Length - TagLength;
        var header = RtpHeaderLength(packet[..authenticated]);
        if (header < 0) return false;
        var seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var roc = EstimateRoc(seq);
        var index = ((ulong)roc << 16) | seq;
        if (IsReplayed(index)) return false;
        Span<byte> tag = stackalloc byte[TagLength];
        _rtp.RtpTag(packet[..authenticated], roc, tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet.Slice(authenticated, TagLength))) return false;
        Span<byte> iv = stackalloc byte[16];
        _rtp.PacketIv(ssrc, index, iv);
        _rtp.Cipher.Xor(iv, packet[header..authenticated]);
        MarkReceived(index);
        // RFC 3711 §3.3.1: update s_l and the ROC only after the packet authenticated.
        if (_lastSeq < 0 || roc > _roc || (roc == _roc && seq > _lastSeq))
        {
            _roc = roc;
            _lastSeq = seq;
        }
        length = authenticated;
        return true;
    }

    /// <summary>A packet index already received, or too old for the window, is a replay (checked before authentication: it is cheap).</summary>
    private bool IsReplayed(ulong index)
    {
        if (!_anyReceived || index > _highestIndex) return false;
        var behind = _highestIndex - index;
        return behind >= ReplayWindow || (_window & (1UL << (int)behind)) != 0;
    }

    private void MarkReceived(ulong index)
    {
        if (!_anyReceived || index > _highestIndex)
        {
            var shift = _anyReceived ? index - _highestIndex : ReplayWindow;
            _window = shift >= ReplayWindow ? 1UL : (_window << (int)shift) | 1UL;
            _highestIndex = index;
            _anyReceived = true;
        }
        else _window |= 1UL << (int)(_highestIndex - index);
    }

    /// <summary>RFC 3711 Appendix A: the ROC that puts <paramref name="seq"/> nearest the highest sequence number seen.</summary>
    private uint EstimateRoc(ushort seq)
    {
        if (_lastSeq < 0) return _roc;
        if (_lastSeq < 0x8000)
            return seq - _lastSeq > 0x8000 && _roc > 0 ? _roc - 1 : _roc;
        return _lastSeq - 0x8000 > seq ? _roc + 1 : _roc;
    }

    /// <summary>SRTCP (RFC 3711 §3.4): encrypts after the first 8 bytes, appends E=1 with the 31-bit index, then the tag. Returns the new length.</summary>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if (length < 8) throw new ArgumentException("not an RTCP packet");
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        // Like libsrtp, the index is advanced before use: the first SRTCP packet carries index 1.
        _srtcpIndex = (_srtcpIndex + 1) & 0x7FFF_FFFF;
        var index = _srtcpIndex;
        Span<byte> iv = stackalloc byte[16];
        _rtcp.PacketIv(ssrc, index, iv);
        _rtcp.Cipher.Xor(iv, buffer[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], 0x8000_0000u | index);
        _rtcp.Tag(buffer[..(length + 4)], buffer.Slice(length + 4, TagLength));
        return length + RtcpOverhead;
    }

    /// <summary>Checks and decrypts an SRTCP packet in place; false when it does not authenticate.</summary>
    public bool TryUnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < 8 + RtcpOverhead) return false;
        var authenticated = packet.Length - TagLength;
        Span<byte> tag = stackalloc byte[TagLength];
        _rtcp.Tag(packet[..authenticated], tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet.Slice(authenticated, TagLength))) return false;
        var word = BinaryPrimitives.ReadUInt32BigEndian(packet[(authenticated - 4)..]);
        length = authenticated - 4;
        if ((word & 0x8000_0000u) != 0)
        {
            Span<byte> iv = stackalloc byte[16];
            _rtcp.PacketIv(BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), word & 0x7FFF_FFFF, iv);
            _rtcp.Cipher.Xor(iv, packet[8..length]);
        }
        return true;
    }

    /// <summary>12 bytes, the CSRC list and a header extension; -1 when the packet is too short for what it declares.</summary>
    private static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || packet[0] >> 6 != 2) return -1;
        var length = 12 + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4) return -1;
            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        return length <= packet.Length ? length : -1;
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    /// <summary>
    /// AES in counter mode as an AES-ECB keystream: one reusable ECB transform and buffers, so a packet costs no allocation
    /// (the one-shot <c>EncryptEcb</c> allocates a native context per call). One thread at a time.
    /// </summary>
    private sealed class CounterMode : IDisposable
    {
        private readonly Aes _aes = Aes.Create();
        private readonly ICryptoTransform _ecb;
        private readonly byte[] _counters = new byte[MaxBlocks * 16];
        private readonly byte[] _stream = new byte[MaxBlocks * 16];

        public CounterMode(ReadOnlySpan<byte> key)
        {
            _aes.Key = key.ToArray();
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            _ecb = _aes.CreateEncryptor();
        }

        public void Xor(ReadOnlySpan<byte> iv, Span<byte> data)
        {
            var blocks = (data.Length + 15) / 16;
            if (blocks > MaxBlocks) throw new ArgumentException("packet too large for SRTP");
            if (blocks == 0) return;
            var start = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
            for (var b = 0; b < blocks; b++)
            {
                var block = _counters.AsSpan(b * 16, 16);
                iv.CopyTo(block);
                BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)(start + b));
            }
            _ecb.TransformBlock(_counters, 0, blocks * 16, _stream, 0);
            for (var i = 0; i < data.Length; i++) data[i] ^= _stream[i];
        }

        public void Dispose()
        {
            _ecb.Dispose();
            _aes.Dispose();
        }
    }

    /// <summary>The session keys of RTP (labels 0–2) or RTCP (3–5) and the primitives keyed with them.</summary>
    private sealed class Direction : IDisposable
    {
        private readonly byte[] _salt = new byte[MasterSaltLength];
        private readonly IncrementalHash _hmac;

        public Direction(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte firstLabel)
        {
            Span<byte> key = stackalloc byte[16];
            Span<byte> auth = stackalloc byte[20];
            DeriveSessionKey(masterKey, masterSalt, firstLabel, key);
            DeriveSessionKey(masterKey, masterSalt, (byte)(firstLabel + 1), auth);
            DeriveSessionKey(masterKey, masterSalt, (byte)(firstLabel + 2), _salt);
            Cipher = new CounterMode(key);
            _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(auth);
        }

        public CounterMode Cipher { get; }

        /// <summary>IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16).</summary>
        public void PacketIv(uint ssrc, ulong index, Span<byte> iv)
        {
            iv.Clear();
            _salt.CopyTo(iv);
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
            for (var i = 0; i < 4; i++) iv[4 + i] ^= word[i];
            BinaryPrimitives.WriteUInt64BigEndian(word, index); // 48-bit index into bytes 8..13
            for (var i = 2; i < 8; i++) iv[6 + i] ^= word[i];
        }

        /// <summary>SRTP tag: HMAC-SHA1(k_a, packet || ROC), first 80 bits.</summary>
        public void RtpTag(ReadOnlySpan<byte> packet, uint roc, Span<byte> tag)
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            _hmac.AppendData(packet);
            _hmac.AppendData(rocBytes);
            Finish(tag);
        }

        /// <summary>SRTCP tag: HMAC-SHA1(k_a, packet with E||index), first 80 bits.</summary>
        public void Tag(ReadOnlySpan<byte> authenticated, Span<byte> tag)
        {
            _hmac.AppendData(authenticated);
            Finish(tag);
        }

        private void Finish(Span<byte> tag)
        {
            Span<byte> full = stackalloc byte[20];
            _hmac.GetHashAndReset(full);
            full[..TagLength].CopyTo(tag);
        }

        public void Dispose()
        {
            Cipher.Dispose();
            _hmac.Dispose();
        }
    }
}

using Switchboard.TestSupport;
using System.Buffers.Binary;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// The test's own pcap writer: RTP over UDP/IPv4/Ethernet, one packet per 20 ms, which sipp's <c>play_pcap_audio</c>
/// replays to the call's media address with the recorded timing. Audio is G.711 µ-law (PT 0); keyed digits are RFC 4733
/// telephone-events (PT 101): 7 packets with growing duration, then 3 identical end packets.
/// </summary>
public sealed class RtpPcapWriter
{
    private const int PayloadTypeAudio = 0;
    private const int PayloadTypeEvent = 101;
    private readonly MemoryStream _out = new();
    private ushort _sequence = 1000;
    private uint _timestamp = 16000;
    private long _micros;
    private bool _marker = true;

    public RtpPcapWriter()
    {
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1); // Ethernet
        _out.Write(header);
    }

    public TimeSpan Duration => TimeSpan.FromMicroseconds(_micros);

    /// <summary>8 kHz PCM as µ-law packets of 20 ms (the last one padded with silence).</summary>
    public RtpPcapWriter Audio(ReadOnlySpan<short> pcm)
    {
        Span<byte> payload = stackalloc byte[160];
        for (var i = 0; i < pcm.Length; i += 160)
        {
            var n = Math.Min(160, pcm.Length - i);
            for (var k = 0; k < 160; k++) payload[k] = ReferenceMuLaw.Encode(k < n ? pcm[i + k] : (short)0);
            Packet(PayloadTypeAudio, _marker, _timestamp, payload);
            _marker = false;
            _timestamp += 160;
            _micros += 20_000;
        }
        return this;
    }

    public RtpPcapWriter Silence(TimeSpan duration) => Audio(new short[(int)(duration.TotalSeconds * 8000)]);

    /// <summary>Keyed digits as RFC 4733 events, 140 ms each with 60 ms of silence after.</summary>
    public RtpPcapWriter Digits(string digits)
    {
        Span<byte> payload = stackalloc byte[4];
        foreach (var d in digits)
        {
            var code = d switch { >= '0' and <= '9' => d - '0', '*' => 10, '#' => 11, _ => throw new ArgumentException($"not a DTMF digit: {d}") };
            var start = _timestamp;
            for (var i = 1; i <= 10; i++)
            {
                var end = i >= 8;
                var duration = (ushort)(Math.Min(i, 7) * 160);
                payload[0] = (byte)code;
                payload[1] = (byte)((end ? 0x80 : 0) | 10);
                BinaryPrimitives.WriteUInt16BigEndian(payload[2..], duration);
                Packet(PayloadTypeEvent, i == 1, start, payload);
                if (i <= 7) { _timestamp += 160; _micros += 20_000; }
            }
            Silence(TimeSpan.FromMilliseconds(60));
        }
        return this;
    }

    public byte[] ToArray() => _out.ToArray();

    public void Save(string path) => File.WriteAllBytes(path, ToArray());

    private void Packet(int payloadType, bool marker, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var rtpLength = 12 + payload.Length;
        var udpLength = 8 + rtpLength;
        var ipLength = 20 + udpLength;
        var frame = new byte[14 + ipLength];
        var f = frame.AsSpan();
        // Ethernet: zero MACs, IPv4.
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        var ip = f[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 127; ip[15] = 1;
        ip[16] = 127; ip[19] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], IpChecksum(ip[..20]));
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 6000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 6002);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        var rtp = udp[8..];
        rtp[0] = 0x80;
        rtp[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(rtp[2..], _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(rtp[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(rtp[8..], 0x5eed1234);
        payload.CopyTo(rtp[12..]);

        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(_micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(_micros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
        _out.Write(record);
        _out.Write(frame);
    }

    private static ushort IpChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

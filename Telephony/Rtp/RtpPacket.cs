using System.Buffers.Binary;

namespace Switchboard.Telephony.Rtp;

/// <summary>An RTP header (RFC 3550 §5.1) read from or written to a datagram; the payload is a slice of the datagram.</summary>
public readonly ref struct RtpPacket
{
    public const int HeaderSize = 12;

    public bool Marker { get; init; }
    public byte PayloadType { get; init; }
    public ushort Sequence { get; init; }
    public uint Timestamp { get; init; }
    public uint Ssrc { get; init; }
    public ReadOnlySpan<byte> Payload { get; init; }

    /// <summary>False for anything that is not RTP version 2 with a consistent length (CSRCs, extension and padding are skipped).</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out RtpPacket packet)
    {
        packet = default;
        if (datagram.Length < HeaderSize || datagram[0] >> 6 != 2) return false;
        var csrcCount = datagram[0] & 0x0F;
        var offset = HeaderSize + 4 * csrcCount;
        if (datagram.Length < offset) return false;
        if ((datagram[0] & 0x10) != 0)
        {
            if (datagram.Length < offset + 4) return false;
            offset += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            if (datagram.Length < offset) return false;
        }
        var end = datagram.Length;
        if ((datagram[0] & 0x20) != 0)
        {
            var padding = datagram[^1];
            if (padding == 0 || end - padding < offset) return false;
            end -= padding;
        }
        packet = new RtpPacket
        {
            Marker = (datagram[1] & 0x80) != 0,
            PayloadType = (byte)(datagram[1] & 0x7F),
            Sequence = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            Payload = datagram[offset..end],
        };
        return true;
    }

    /// <summary>Writes a 12-byte header (no CSRC, no extension) and returns its size.</summary>
    public static int WriteHeader(Span<byte> buffer, bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc)
    {
        buffer[0] = 0x80;
        buffer[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], ssrc);
        return HeaderSize;
    }
}

using System.Buffers.Binary;

namespace Switchboard.Telephony.Dtmf;

/// <summary>An RFC 4733 telephone-event payload: event | E | R | volume | duration.</summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int Size = 4;

    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent value)
    {
        value = default;
        if (payload.Length < Size) return false;
        value = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public void Write(Span<byte> payload)
    {
        payload[0] = Event;
        payload[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], Duration);
    }

    /// <summary>0-9, * (10), # (11), A-D (12-15); null for other events.</summary>
    public static char? ToDigit(byte evt) => evt switch
    {
        <= 9 => (char)('0' + evt),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + evt - 12),
        _ => null,
    };

    public static byte? FromDigit(char digit) => digit switch
    {
        >= '0' and <= '9' => (byte)(digit - '0'),
        '*' => 10,
        '#' => 11,
        >= 'A' and <= 'D' => (byte)(digit - 'A' + 12),
        >= 'a' and <= 'd' => (byte)(digit - 'a' + 12),
        _ => null,
    };
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Analytics.Events;

/// <summary>
/// The stored form of an event id: the first 8 bytes of its SHA-256. The store dedupes on it (a redelivered event is
/// dropped) without keeping the publisher's id, whatever it was built from. Two distinct ids collide with odds
/// about n²/2⁶⁵: below one in 300,000 for ten million events.
/// </summary>
public static class EventKey
{
    public static long Of(string id)
    {
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(id);
        SHA256.HashData(bytes, hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }

    /// <summary>A stable event id for what a publisher saw (the same parts give the same id on a retry).</summary>
    public static string For(string kind, params ReadOnlySpan<string> parts)
    {
        var text = string.Join('\u001f', parts.ToArray());
        return kind + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));
    }
}

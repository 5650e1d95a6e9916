using System.Text;

namespace Switchboard.Telephony.Sip;

/// <summary>
/// Building SIP and SDP text without garbage beyond the result: one <see cref="StringBuilder"/> per thread, reused
/// (the pattern of the runtime's internal StringBuilderCache), and the text encoded straight from its chunks into the
/// message's one <c>byte[]</c>, with no intermediate string.
/// </summary>
public static class SipText
{
    private const int MaxCached = 8 * 1024;

    [ThreadStatic]
    private static StringBuilder? _cached;

    /// <summary>A cleared builder: this thread's cached one when it is free, else a new one.</summary>
    public static StringBuilder Acquire(int capacity = 512)
    {
        var sb = _cached;
        if (sb is not null && capacity <= sb.Capacity)
        {
            _cached = null;
            sb.Clear();
            return sb;
        }
        return new StringBuilder(Math.Max(capacity, 512));
    }

    /// <summary>The builder's text, UTF-8 encoded, followed by <paramref name="tail"/>; the builder goes back to the cache.</summary>
    public static byte[] ToBytesAndRelease(StringBuilder sb, ReadOnlySpan<byte> tail = default)
    {
        // A stateful encoder: a surrogate pair split across two chunks is still encoded as one character.
        var encoder = _encoder ??= Encoding.UTF8.GetEncoder();
        encoder.Reset();
        var head = 0;
        foreach (var chunk in sb.GetChunks()) head += encoder.GetByteCount(chunk.Span, flush: false);
        head += encoder.GetByteCount(ReadOnlySpan<char>.Empty, flush: true);
        encoder.Reset();
        var bytes = new byte[head + tail.Length];
        var at = 0;
        foreach (var chunk in sb.GetChunks()) at += encoder.GetBytes(chunk.Span, bytes.AsSpan(at), flush: false);
        at += encoder.GetBytes(ReadOnlySpan<char>.Empty, bytes.AsSpan(at), flush: true);
        tail.CopyTo(bytes.AsSpan(at));
        Release(sb);
        return bytes;
    }

    [ThreadStatic]
    private static Encoder? _encoder;

    /// <summary>The builder's text as a string; the builder goes back to the cache.</summary>
    public static string ToStringAndRelease(StringBuilder sb)
    {
        var s = sb.ToString();
        Release(sb);
        return s;
    }

    private static void Release(StringBuilder sb)
    {
        if (sb.Capacity <= MaxCached) _cached = sb;
    }
}

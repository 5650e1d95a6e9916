using System.Text;

namespace Switchboard.Telephony.Sdp;

public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>One m= section of an SDP body (RFC 4566), with the attributes negotiation needs.</summary>
public sealed record MediaDescription(string Type, int Port, string Protocol, IReadOnlyList<string> Formats, string? ConnectionAddress,
    IReadOnlyDictionary<int, string> RtpMaps, MediaDirection Direction, int? Ptime)
{
    /// <summary>SDES crypto attributes (RFC 4568) in the order offered.</summary>
    public IReadOnlyList<SdesCrypto> Crypto { get; init; } = [];
}

/// <summary>A parsed SDP body: bounded (64 media sections, 4 KB lines), tolerant of unknown lines, strict about what it reads.</summary>
public sealed record SessionDescription(string? ConnectionAddress, long OriginVersion, IReadOnlyList<MediaDescription> Media)
{
    public const int MaxMedia = 16;

    /// <remarks>
    /// Walks the body as spans: the only strings made are the values kept (addresses, media tokens, rtpmap encodings;
    /// the common ones are shared constants), not one per line and per field.
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> body, out SessionDescription? sdp)
    {
        sdp = null;
        if (body.Length == 0 || body.Length > 16_384 || !System.Text.Unicode.Utf8.IsValid(body)) return false;
        var text = Encoding.UTF8.GetString(body).AsSpan();
        string? sessionAddress = null;
        long version = 0;
        var sessionDirection = MediaDirection.SendRecv;
        var media = new List<MediaDescription>(1);
        MediaBuilder? current = null;
        var sawVersion = false;
        while (true)
        {
            var nl = text.IndexOf('\n');
            var line = (nl < 0 ? text : text[..nl]).TrimEnd('\r');
            text = nl < 0 ? default : text[(nl + 1)..];
            if (line.Length >= 2 && line[1] == '=')
            {
                var value = line[2..];
                switch (line[0])
                {
                    case 'v':
                        sawVersion = value.Trim().SequenceEqual("0");
                        break;
                    case 'o':
                        if (Token(value, 2) is { IsEmpty: false } originVersion) long.TryParse(originVersion, out version);
                        break;
                    case 'c':
                        var c2 = Token(value, 2);
                        if (c2.IsEmpty) return false;
                        var slash = c2.IndexOf('/');
                        var addr = Shared(slash < 0 ? c2 : c2[..slash]);
                        if (current is null) sessionAddress = addr; else current.Address = addr;
                        break;
                    case 'm':
                        if (current is not null) media.Add(current.Build(sessionDirection));
                        if (media.Count >= MaxMedia) return false;
                        var count = TokenCount(value);
                        if (count < 4) return false;
                        var portToken = Token(value, 1);
                        var portSlash = portToken.IndexOf('/');
                        if (!int.TryParse(portSlash < 0 ? portToken : portToken[..portSlash], out var port) || port is < 0 or > 65535) return false;
                        // media, proto and fmt are tokens (RFC 4566 §9): a control character in one is malformed, and an
                        // answer that echoes it (a rejected stream repeats its first format) would not parse either.
                        foreach (var ch in value)
                            if (ch != ' ' && ch is < '!' or > '~') return false;
                        var formats = new string[count - 3];
                        for (var i = 0; i < formats.Length; i++) formats[i] = Shared(Token(value, i + 3));
                        current = new MediaBuilder(Shared(Token(value, 0)), port, Shared(Token(value, 2)), formats);
                        break;
                    case 'a':
                        MediaDirection? direction = value switch
                        {
                            "sendrecv" => MediaDirection.SendRecv,
                            "sendonly" => MediaDirection.SendOnly,
                            "recvonly" => MediaDirection.RecvOnly,
                            "inactive" => MediaDirection.Inactive,
                            _ => null,
                        };
                        if (direction is { } d)
                        {
                            if (current is null) sessionDirection = d; else current.Direction = d;
                        }
                        else if (current is not null && value.StartsWith("rtpmap:", StringComparison.Ordinal))
                        {
                            var rest = value[7..];
                            var sp = rest.IndexOf(' ');
                            if (sp > 0 && int.TryParse(rest[..sp], out var pt) && pt is >= 0 and <= 127) current.RtpMaps[pt] = Shared(rest[(sp + 1)..].Trim());
                        }
                        else if (current is not null && value.StartsWith("crypto:", StringComparison.Ordinal))
                        {
                            if (current.Crypto.Count < 16 && SdesCrypto.TryParse(value[7..].ToString(), out var crypto)) current.Crypto.Add(crypto!);
                        }
                        else if (current is not null && value.StartsWith("ptime:", StringComparison.Ordinal) && int.TryParse(value[6..], out var ptime))
                        {
                            current.Ptime = ptime;
                        }
                        break;
                }
            }
            if (nl < 0) break;
        }
        if (!sawVersion) return false;
        if (current is not null) media.Add(current.Build(sessionDirection));
        sdp = new SessionDescription(sessionAddress, version, media);
        return true;
    }

    /// <summary>The number of space-separated tokens (empty ones skipped, as <c>Split(' ', RemoveEmptyEntries)</c>).</summary>
    private static int TokenCount(ReadOnlySpan<char> s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
            if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) n++;
        return n;
    }

    /// <summary>The <paramref name="index"/>th space-separated token (empty ones skipped); empty when there are fewer.</summary>
    private static ReadOnlySpan<char> Token(ReadOnlySpan<char> s, int index)
    {
        var i = 0;
        while (true)
        {
            while (i < s.Length && s[i] == ' ') i++;
            if (i >= s.Length) return default;
            var end = s[i..].IndexOf(' ');
            var token = end < 0 ? s[i..] : s.Slice(i, end);
            if (index-- == 0) return token;
            i += token.Length;
        }
    }

    /// <summary>A string for the span: a shared constant for the values every call's SDP carries, else a new one.</summary>
    private static string Shared(ReadOnlySpan<char> s)
    {
        foreach (var known in Common)
            if (s.SequenceEqual(known)) return known;
        return s.ToString();
    }

    private static readonly string[] Common =
    [
        "audio", "RTP/AVP", "RTP/SAVP", "0", "8", "101", "96", "13", "PCMU/8000", "PCMA/8000", "telephone-event/8000", "127.0.0.1", "0.0.0.0",
    ];

    private sealed class MediaBuilder(string type, int port, string protocol, string[] formats)
    {
        public string? Address { get; set; }
        public MediaDirection? Direction { get; set; }
        public int? Ptime { get; set; }
        public Dictionary<int, string> RtpMaps { get; } = [];
        public List<SdesCrypto> Crypto { get; } = [];

        public MediaDescription Build(MediaDirection sessionDirection) =>
            new(type, port, protocol, formats, Address, RtpMaps, Direction ?? sessionDirection, Ptime) { Crypto = Crypto };
    }
}

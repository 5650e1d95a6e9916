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

    public static bool TryParse(ReadOnlySpan<byte> body, out SessionDescription? sdp)
    {
        sdp = null;
        if (body.Length == 0 || body.Length > 16_384 || !System.Text.Unicode.Utf8.IsValid(body)) return false;
        var text = Encoding.UTF8.GetString(body);
        string? sessionAddress = null;
        long version = 0;
        var sessionDirection = MediaDirection.SendRecv;
        var media = new List<MediaDescription>();
        MediaBuilder? current = null;
        var sawVersion = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length < 2 || line[1] != '=') continue;
            var value = line[2..];
            switch (line[0])
            {
                case 'v':
                    sawVersion = value.Trim() == "0";
                    break;
                case 'o':
                    var o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (o.Length >= 3) long.TryParse(o[2], out version);
                    break;
                case 'c':
                    var c = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (c.Length < 3) return false;
                    var addr = c[2].Split('/')[0];
                    if (current is null) sessionAddress = addr; else current.Address = addr;
                    break;
                case 'm':
                    if (current is not null) media.Add(current.Build(sessionDirection));
                    if (media.Count >= MaxMedia) return false;
                    var m = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (m.Length < 4 || !int.TryParse(m[1].Split('/')[0], out var port) || port is < 0 or > 65535) return false;
                    // media, proto and fmt are tokens (RFC 4566 §9): a control character in one is malformed, and an
                    // answer that echoes it (a rejected stream repeats its first format) would not parse either.
                    if (!Array.TrueForAll(m, IsToken)) return false;
                    current = new MediaBuilder(m[0], port, m[2], m[3..]);
                    break;
                case 'a':
                    var direction = value switch
                    {
                        "sendrecv" => MediaDirection.SendRecv,
                        "sendonly" => MediaDirection.SendOnly,
                        "recvonly" => MediaDirection.RecvOnly,
                        "inactive" => MediaDirection.Inactive,
                        _ => (MediaDirection?)null,
                    };
                    if (direction is { } d)
                    {
                        if (current is null) sessionDirection = d; else current.Direction = d;
                    }
                    else if (current is not null && value.StartsWith("rtpmap:", StringComparison.Ordinal))
                    {
                        var rest = value[7..];
                        var sp = rest.IndexOf(' ');
                        if (sp > 0 && int.TryParse(rest[..sp], out var pt) && pt is >= 0 and <= 127) current.RtpMaps[pt] = rest[(sp + 1)..].Trim();
                    }
                    else if (current is not null && value.StartsWith("crypto:", StringComparison.Ordinal))
                    {
                        if (current.Crypto.Count < 16 && SdesCrypto.TryParse(value[7..], out var crypto)) current.Crypto.Add(crypto!);
                    }
                    else if (current is not null && value.StartsWith("ptime:", StringComparison.Ordinal) && int.TryParse(value[6..], out var ptime))
                    {
                        current.Ptime = ptime;
                    }
                    break;
            }
        }
        if (!sawVersion) return false;
        if (current is not null) media.Add(current.Build(sessionDirection));
        sdp = new SessionDescription(sessionAddress, version, media);
        return true;
    }

    private static bool IsToken(string s)
    {
        foreach (var ch in s)
            if (ch is < '!' or > '~') return false;
        return true;
    }

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

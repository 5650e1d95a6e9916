namespace Switchboard.Telephony.Sip;

/// <summary>Small readers for name-addr / addr-spec header values (<c>"Name" &lt;sip:user@host&gt;;tag=x</c>) and Via parameters.</summary>
public static class NameAddr
{
    /// <summary>The URI inside angle brackets, or the addr-spec up to its first parameter.</summary>
    public static string Uri(string value)
    {
        var lt = value.IndexOf('<');
        if (lt >= 0)
        {
            var gt = value.IndexOf('>', lt + 1);
            return gt > lt ? value[(lt + 1)..gt] : value[(lt + 1)..];
        }
        var semi = value.IndexOf(';');
        return (semi >= 0 ? value[..semi] : value).Trim();
    }

    /// <summary>A header parameter (after the URI's closing bracket), e.g. <c>tag</c> or a Via's <c>branch</c>; "" for a bare flag.</summary>
    public static string? Param(string value, string name) =>
        TryParam(value, name, out var found) ? found.Length == 0 ? "" : found.ToString() : null;

    /// <summary>Whether the header has the parameter (<see cref="Param"/> without allocating its value).</summary>
    public static bool HasParam(string value, string name) => TryParam(value, name, out _);

    private static bool TryParam(string value, string name, out ReadOnlySpan<char> found)
    {
        var gt = value.IndexOf('>');
        var start = value.IndexOf(';', gt < 0 ? 0 : gt);
        while (start >= 0)
        {
            var end = value.IndexOf(';', start + 1);
            var part = (end < 0 ? value.AsSpan(start + 1) : value.AsSpan(start + 1, end - start - 1)).Trim();
            var eq = part.IndexOf('=');
            var key = eq < 0 ? part : part[..eq].TrimEnd();
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                found = eq < 0 ? default : part[(eq + 1)..].Trim();
                return true;
            }
            start = end;
        }
        found = default;
        return false;
    }

    /// <summary>The user part of a sip:/sips:/tel: URI ("" when there is none).</summary>
    public static string User(string uri)
    {
        var s = uri;
        var colon = s.IndexOf(':');
        if (colon < 0) return "";
        var scheme = s[..colon];
        s = s[(colon + 1)..];
        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
        {
            var semi = s.IndexOf(';');
            return semi >= 0 ? s[..semi] : s;
        }
        var at = s.IndexOf('@');
        if (at < 0) return "";
        s = s[..at];
        var sc = s.IndexOf(';');
        if (sc >= 0) s = s[..sc];
        var pw = s.IndexOf(':');
        return pw >= 0 ? s[..pw] : s;
    }

    /// <summary>Host and port of a sip: URI (port 5060 when absent); false for anything else.</summary>
    public static bool TryHostPort(string uri, out string host, out int port)
    {
        host = "";
        port = 5060;
        var colon = uri.IndexOf(':');
        if (colon < 0) return false;
        var s = uri[(colon + 1)..];
        var at = s.IndexOf('@');
        if (at >= 0) s = s[(at + 1)..];
        var end = s.IndexOfAny([';', '?', '>']);
        if (end >= 0) s = s[..end];
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0) return false;
            host = s[1..close];
            s = s[(close + 1)..];
            if (s.StartsWith(':') && !int.TryParse(s[1..], out port)) return false;
            return true;
        }
        var pc = s.LastIndexOf(':');
        if (pc >= 0)
        {
            if (!int.TryParse(s[(pc + 1)..], out port) || port is < 1 or > 65535) return false;
            s = s[..pc];
        }
        host = s;
        return host.Length > 0;
    }

    /// <summary>The sent-by host and port of a Via value (<c>SIP/2.0/UDP host:port;branch=...</c>).</summary>
    public static bool TryViaSentBy(string via, out string transport, out string host, out int port)
    {
        transport = "";
        host = "";
        port = 5060;
        var sp = via.IndexOf(' ');
        if (sp < 0) return false;
        var proto = via[..sp];
        var slash = proto.LastIndexOf('/');
        transport = slash >= 0 ? proto[(slash + 1)..] : proto;
        var rest = via[(sp + 1)..].TrimStart();
        var semi = rest.IndexOf(';');
        var sentBy = (semi >= 0 ? rest[..semi] : rest).Trim();
        return TryHostPort("sip:" + sentBy, out host, out port);
    }
}

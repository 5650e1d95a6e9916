using System.Text;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Sip;

/// <summary>Formats requests and responses. Responses copy Via (stamping received/rport on the top one), From, To, Call-ID and CSeq.</summary>
public static class SipWriter
{
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, INFO, UPDATE, PRACK";
    /// <summary>The extensions we support: session timers (RFC 4028) and reliable provisional responses (RFC 3262).</summary>
    public const string Supported = "timer, 100rel";
    public const string UserAgent = "Switchboard";

    public static byte[] Response(SipMessage request, int status, string reason, SipPeer? receivedFrom = null, string? toTag = null,
        IEnumerable<SipHeader>? extra = null, string? contentType = null, ReadOnlySpan<byte> body = default, bool copyRecordRoute = false)
    {
        var sb = SipText.Acquire();
        sb.Append("SIP/2.0 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        for (var i = 0; i < request.Vias.Count; i++)
        {
            sb.Append("Via: ");
            if (i == 0 && receivedFrom is not null) AppendStampedVia(sb, request.Vias[i], receivedFrom);
            else sb.Append(request.Vias[i]);
            sb.Append("\r\n");
        }
        if (copyRecordRoute)
            foreach (var h in request.Headers)
                if (string.Equals(h.Name, SipHeaderNames.RecordRoute, StringComparison.OrdinalIgnoreCase)) sb.Append("Record-Route: ").Append(h.Value).Append("\r\n");
        sb.Append("From: ").Append(request.From).Append("\r\n");
        var to = request.To;
        sb.Append("To: ").Append(to);
        if (toTag is not null && !NameAddr.HasParam(to, "tag")) sb.Append(";tag=").Append(toTag);
        sb.Append("\r\n");
        sb.Append("Call-ID: ").Append(request.CallId).Append("\r\n");
        sb.Append("CSeq: ").Append(request.Header(SipHeaderNames.CSeq)).Append("\r\n");
        AppendHeaders(sb, extra);
        sb.Append("Server: ").Append(UserAgent).Append("\r\n");
        return Finish(sb, contentType, body);
    }

    public static byte[] Request(string method, string requestUri, IEnumerable<SipHeader> headers, string? contentType = null, ReadOnlySpan<byte> body = default)
    {
        var sb = SipText.Acquire();
        sb.Append(method).Append(' ').Append(requestUri).Append(" SIP/2.0\r\n");
        AppendHeaders(sb, headers);
        sb.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
        return Finish(sb, contentType, body);
    }

    /// <summary>RFC 3261 §18.2.1 and RFC 3581: received= always, rport= filled in when the client asked for it.</summary>
    public static string StampVia(string via, SipPeer from)
    {
        var sb = new StringBuilder(via.Length + 40);
        AppendStampedVia(sb, via, from);
        return sb.ToString();
    }

    /// <summary><see cref="StampVia"/> appended to <paramref name="sb"/>, walking the Via's parameters as spans.</summary>
    private static void AppendStampedVia(StringBuilder sb, string via, SipPeer from)
    {
        var rest = via.AsSpan();
        var first = true;
        while (true)
        {
            var semi = rest.IndexOf(';');
            var part = semi < 0 ? rest : rest[..semi];
            if (first)
            {
                sb.Append(part.TrimEnd());
                first = false;
            }
            else
            {
                var p = part.Trim();
                if (p.Equals("rport", StringComparison.OrdinalIgnoreCase) || p.StartsWith("rport=", StringComparison.OrdinalIgnoreCase))
                    sb.Append(";rport=").Append(from.EndPoint.Port);
                else if (!p.StartsWith("received=", StringComparison.OrdinalIgnoreCase))
                    sb.Append(';').Append(p);
            }
            if (semi < 0) break;
            rest = rest[(semi + 1)..];
        }
        sb.Append(";received=");
        Span<char> ip = stackalloc char[64];
        if (from.EndPoint.Address.TryFormat(ip, out var written)) sb.Append(ip[..written]);
        else sb.Append(from.EndPoint.Address.ToString());
    }

    /// <summary>Headers appended without enumerator garbage for the usual collections (arrays and lists).</summary>
    private static void AppendHeaders(StringBuilder sb, IEnumerable<SipHeader>? headers)
    {
        switch (headers)
        {
            case null:
                return;
            case SipHeader[] array:
                foreach (var h in array) sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
                return;
            case List<SipHeader> list:
                foreach (var h in list) sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
                return;
            default:
                foreach (var h in headers) sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
                return;
        }
    }

    public static string NewBranch() => "z9hG4bK" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static string NewTag() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    private static byte[] Finish(StringBuilder sb, string? contentType, ReadOnlySpan<byte> body)
    {
        if (contentType is not null && body.Length > 0) sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        sb.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return SipText.ToBytesAndRelease(sb, body);
    }
}

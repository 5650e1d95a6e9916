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
        var sb = new StringBuilder(512);
        sb.Append("SIP/2.0 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        for (var i = 0; i < request.Vias.Count; i++)
        {
            var via = request.Vias[i];
            if (i == 0 && receivedFrom is not null) via = StampVia(via, receivedFrom);
            sb.Append("Via: ").Append(via).Append("\r\n");
        }
        if (copyRecordRoute)
            foreach (var rr in request.HeaderValues(SipHeaderNames.RecordRoute)) sb.Append("Record-Route: ").Append(rr).Append("\r\n");
        sb.Append("From: ").Append(request.From).Append("\r\n");
        var to = request.To;
        if (toTag is not null && NameAddr.Param(to, "tag") is null) to += ";tag=" + toTag;
        sb.Append("To: ").Append(to).Append("\r\n");
        sb.Append("Call-ID: ").Append(request.CallId).Append("\r\n");
        sb.Append("CSeq: ").Append(request.Header(SipHeaderNames.CSeq)).Append("\r\n");
        if (extra is not null)
            foreach (var h in extra) sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
        sb.Append("Server: ").Append(UserAgent).Append("\r\n");
        return Finish(sb, contentType, body);
    }

    public static byte[] Request(string method, string requestUri, IEnumerable<SipHeader> headers, string? contentType = null, ReadOnlySpan<byte> body = default)
    {
        var sb = new StringBuilder(512);
        sb.Append(method).Append(' ').Append(requestUri).Append(" SIP/2.0\r\n");
        foreach (var h in headers) sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
        sb.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
        return Finish(sb, contentType, body);
    }

    /// <summary>RFC 3261 §18.2.1 and RFC 3581: received= always, rport= filled in when the client asked for it.</summary>
    public static string StampVia(string via, SipPeer from)
    {
        var ip = from.EndPoint.Address.ToString();
        var sb = new StringBuilder(via.Length + 40);
        var hadRport = false;
        foreach (var part in via.Split(';'))
        {
            var p = part.Trim();
            if (sb.Length > 0)
            {
                if (p.Equals("rport", StringComparison.OrdinalIgnoreCase) || p.StartsWith("rport=", StringComparison.OrdinalIgnoreCase))
                {
                    sb.Append(";rport=").Append(from.EndPoint.Port);
                    hadRport = true;
                    continue;
                }
                if (p.StartsWith("received=", StringComparison.OrdinalIgnoreCase)) continue;
                sb.Append(';').Append(p);
            }
            else sb.Append(part.TrimEnd());
        }
        sb.Append(";received=").Append(ip);
        _ = hadRport;
        return sb.ToString();
    }

    public static string NewBranch() => "z9hG4bK" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static string NewTag() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    private static byte[] Finish(StringBuilder sb, string? contentType, ReadOnlySpan<byte> body)
    {
        if (contentType is not null && body.Length > 0) sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        sb.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        var headLength = Encoding.UTF8.GetByteCount(sb.ToString());
        var bytes = new byte[headLength + body.Length];
        Encoding.UTF8.GetBytes(sb.ToString(), bytes);
        body.CopyTo(bytes.AsSpan(headLength));
        return bytes;
    }
}

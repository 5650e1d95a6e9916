using System.Text;
using System.Text.Unicode;

namespace Switchboard.Telephony.Sip;

public enum SipParseStatus
{
    Ok,
    /// <summary>Stream transports only: more bytes are needed.</summary>
    Incomplete,
    TooLarge,
    LineTooLong,
    TooManyHeaders,
    BadStartLine,
    BadHeader,
    BadEncoding,
    BadContentLength,
    BadCSeq,
    MissingHeader,
}

/// <summary>Hard limits checked before anything is allocated.</summary>
public sealed record SipLimits(int MaxMessageBytes = 65_535, int MaxLineBytes = 4_096, int MaxHeaders = 64, int MaxBodyBytes = 16_384)
{
    public static SipLimits Default { get; } = new();
}

/// <summary>
/// What the parser made of some bytes. On an error <see cref="Message"/> is still set when the request carried enough
/// (Via, From, To, Call-ID, CSeq) for a 400 to be sent back; <see cref="Consumed"/> is the message's length on a stream.
/// </summary>
public readonly record struct SipParseResult(SipParseStatus Status, SipMessage? Message, int Consumed)
{
    public bool Ok => Status == SipParseStatus.Ok;

    public string Reason => Status switch
    {
        SipParseStatus.TooLarge => "Message Too Large",
        SipParseStatus.LineTooLong => "Line Too Long",
        SipParseStatus.TooManyHeaders => "Too Many Headers",
        SipParseStatus.BadStartLine => "Bad Request Line",
        SipParseStatus.BadHeader => "Bad Header",
        SipParseStatus.BadEncoding => "Bad Encoding",
        SipParseStatus.BadContentLength => "Bad Content-Length",
        SipParseStatus.BadCSeq => "Bad CSeq",
        SipParseStatus.MissingHeader => "Missing Mandatory Header",
        _ => "Bad Request",
    };
}

/// <summary>
/// RFC 3261 §7 message parser in the manner of Kestrel's HTTP/1.1 parser: it reads spans, checks hard limits first, and
/// turns malformed input into a typed result, never an exception. Parsing is separate from handling.
/// </summary>
public static class SipParser
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Version => "SIP/2.0"u8;

    /// <param name="stream">True for TCP: the message is framed by Content-Length (required) and may be incomplete.</param>
    public static SipParseResult Parse(ReadOnlySpan<byte> data, bool stream = false, SipLimits? limits = null)
    {
        limits ??= SipLimits.Default;
        var skipped = 0;
        while (data.Length - skipped >= 2 && data[skipped] == '\r' && data[skipped + 1] == '\n') skipped += 2;
        var input = data[skipped..];
        var headerEnd = input.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            if (input.Length > limits.MaxMessageBytes) return Fail(SipParseStatus.TooLarge);
            return stream ? new SipParseResult(SipParseStatus.Incomplete, null, 0) : Fail(SipParseStatus.BadHeader);
        }
        if (headerEnd + 4 > limits.MaxMessageBytes) return Fail(SipParseStatus.TooLarge);
        var head = input[..headerEnd];
        if (!Utf8.IsValid(head)) return Fail(SipParseStatus.BadEncoding);
        foreach (var b in head)
            if (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t' || b == 0x7F)
                return Fail(SipParseStatus.BadEncoding);

        // Start line.
        var lineEnd = head.IndexOf(Crlf);
        var startLine = lineEnd < 0 ? head : head[..lineEnd];
        if (startLine.Length > limits.MaxLineBytes) return Fail(SipParseStatus.LineTooLong);
        string? method = null, uri = null, reason = null;
        var status = 0;
        if (startLine.StartsWith(Version))
        {
            // SIP/2.0 SP 3DIGIT SP Reason-Phrase
            if (startLine.Length < 11 || startLine[7] != ' ' || !IsDigit(startLine[8]) || !IsDigit(startLine[9]) || !IsDigit(startLine[10])
                || (startLine.Length > 11 && startLine[11] != ' '))
                return Fail(SipParseStatus.BadStartLine);
            status = (startLine[8] - '0') * 100 + (startLine[9] - '0') * 10 + (startLine[10] - '0');
            if (status < 100) return Fail(SipParseStatus.BadStartLine);
            reason = startLine.Length > 12 ? Encoding.UTF8.GetString(startLine[12..]) : "";
        }
        else
        {
            var sp1 = startLine.IndexOf((byte)' ');
            if (sp1 <= 0 || sp1 > 32) return Fail(SipParseStatus.BadStartLine);
            foreach (var b in startLine[..sp1])
                if (!IsTokenChar(b)) return Fail(SipParseStatus.BadStartLine);
            var rest = startLine[(sp1 + 1)..];
            var sp2 = rest.IndexOf((byte)' ');
            if (sp2 <= 0 || !rest[(sp2 + 1)..].SequenceEqual(Version) || rest[..sp2].IndexOf((byte)':') < 0) return Fail(SipParseStatus.BadStartLine);
            method = Method(startLine[..sp1]);
            uri = Encoding.UTF8.GetString(rest[..sp2]);
        }

        // Headers, with line folding. A header's value is one string (a folded header, rare, is joined with spaces);
        // well-known names are the shared constants, not a new string per message.
        var headers = new List<SipHeader>(16);
        var vias = new List<string>(2);
        var cursor = lineEnd < 0 ? head.Length : lineEnd + 2;
        string? currentName = null;
        string? currentValue = null;
        var error = SipParseStatus.Ok;
        while (cursor < head.Length)
        {
            var remaining = head[cursor..];
            var e = remaining.IndexOf(Crlf);
            var line = e < 0 ? remaining : remaining[..e];
            cursor += e < 0 ? remaining.Length : e + 2;
            if (line.Length > limits.MaxLineBytes) return Fail(SipParseStatus.LineTooLong);
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (currentValue is null) return Fail(SipParseStatus.BadHeader);
                currentValue = string.Concat(currentValue, " ", Encoding.UTF8.GetString(line.Trim(" \t"u8)));
                if (currentValue.Length > limits.MaxLineBytes) return Fail(SipParseStatus.LineTooLong);
                continue;
            }
            if (currentName is not null)
            {
                if (!AddHeader(headers, vias, currentName, currentValue!, limits)) return Fail(SipParseStatus.TooManyHeaders);
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) { error = SipParseStatus.BadHeader; currentName = null; currentValue = null; break; }
            var nameSpan = line[..colon].TrimEnd(" \t"u8);
            var validName = nameSpan.Length > 0;
            foreach (var b in nameSpan)
                if (!IsTokenChar(b)) validName = false;
            if (!validName) { error = SipParseStatus.BadHeader; currentName = null; currentValue = null; break; }
            currentName = HeaderName(nameSpan);
            currentValue = Encoding.UTF8.GetString(line[(colon + 1)..].Trim(" \t"u8));
        }
        if (currentName is not null && !AddHeader(headers, vias, currentName, currentValue!, limits))
            return Fail(SipParseStatus.TooManyHeaders);

        var message = new SipMessage
        {
            Method = method,
            RequestUri = uri,
            StatusCode = status,
            ReasonPhrase = reason,
            Headers = headers,
            Vias = vias,
        };
        var replyable = method is not null && vias.Count > 0 && Count(headers, SipHeaderNames.CallId) == 1
            && Count(headers, SipHeaderNames.From) == 1 && Count(headers, SipHeaderNames.To) == 1
            && TryParseCSeq(message.Header(SipHeaderNames.CSeq), out _, out _);
        if (error != SipParseStatus.Ok) return new SipParseResult(error, replyable ? message : null, 0);

        if (vias.Count == 0 || Count(headers, SipHeaderNames.CallId) != 1 || Count(headers, SipHeaderNames.From) != 1
            || Count(headers, SipHeaderNames.To) != 1 || Count(headers, SipHeaderNames.CSeq) != 1)
            return new SipParseResult(SipParseStatus.MissingHeader, replyable ? message : null, 0);
        if (!TryParseCSeq(message.Header(SipHeaderNames.CSeq), out _, out var cseqMethod)
            || (method is not null && !string.Equals(cseqMethod, method, StringComparison.Ordinal)))
            return new SipParseResult(SipParseStatus.BadCSeq, replyable ? message : null, 0);

        // Body framing.
        var bodyStart = headerEnd + 4;
        var available = input.Length - bodyStart;
        int length;
        string? firstLength = null;
        var lengthsDiffer = false;
        foreach (var h in headers)
        {
            if (!string.Equals(h.Name, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)) continue;
            if (firstLength is null) firstLength = h.Value;
            else if (!string.Equals(firstLength, h.Value, StringComparison.Ordinal)) lengthsDiffer = true;
        }
        if (firstLength is null)
        {
            if (stream) return new SipParseResult(SipParseStatus.BadContentLength, replyable ? message : null, 0);
            length = available;
        }
        else if (lengthsDiffer || !int.TryParse(firstLength, System.Globalization.NumberStyles.None, null, out length))
        {
            return new SipParseResult(SipParseStatus.BadContentLength, replyable ? message : null, 0);
        }
        if (length > limits.MaxBodyBytes || bodyStart + (long)length > limits.MaxMessageBytes)
            return new SipParseResult(SipParseStatus.TooLarge, replyable ? message : null, 0);
        if (length > available)
            return stream
                ? new SipParseResult(SipParseStatus.Incomplete, null, 0)
                : new SipParseResult(SipParseStatus.BadContentLength, replyable ? message : null, 0);
        var body = length == 0 ? ReadOnlyMemory<byte>.Empty : input.Slice(bodyStart, length).ToArray();
        return new SipParseResult(SipParseStatus.Ok, new SipMessage
        {
            Method = method,
            RequestUri = uri,
            StatusCode = status,
            ReasonPhrase = reason,
            Headers = headers,
            Vias = vias,
            Body = body,
        }, skipped + bodyStart + length);
    }

    public static bool TryParseCSeq(string? value, out long number, out string method)
    {
        number = -1;
        method = "";
        if (value is null) return false;
        var v = value.AsSpan().Trim();
        var sp = v.IndexOfAny(' ', '\t');
        if (sp <= 0 || sp > 10) return false;
        if (!long.TryParse(v[..sp], System.Globalization.NumberStyles.None, null, out number) || number >= 1L << 31) return false;
        var m = v[(sp + 1)..].Trim();
        if (m.Length == 0) return false;
        foreach (var c in m)
            if (c > 127 || !IsTokenChar((byte)c)) return false;
        method = "";
        foreach (var known in KnownMethods)
            if (m.SequenceEqual(known)) { method = known; break; }
        if (method.Length == 0) method = m.ToString();
        return true;
    }

    private static bool AddHeader(List<SipHeader> headers, List<string> vias, string name, string value, SipLimits limits)
    {
        if (headers.Count >= limits.MaxHeaders) return false;
        headers.Add(new SipHeader(name, value));
        if (ReferenceEquals(name, SipHeaderNames.Via) || name.Equals(SipHeaderNames.Via, StringComparison.OrdinalIgnoreCase))
        {
            // One hop per header is the usual case: the value itself (trimmed by the parser), no split.
            if (value.Length > 0 && !value.Contains(','))
            {
                if (vias.Count >= limits.MaxHeaders) return false;
                vias.Add(value);
                return true;
            }
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (vias.Count >= limits.MaxHeaders) return false;
                vias.Add(part);
            }
        }
        return true;
    }

    /// <summary>The header's name: a shared constant for the names every call carries (compact forms expanded), else a new string.</summary>
    private static string HeaderName(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1) return SipHeaderNames.Expand(Encoding.ASCII.GetString(name));
        foreach (var known in KnownHeaders)
            if (name.Length == known.Length && Ascii.EqualsIgnoreCase(name, known)) return known;
        return Encoding.ASCII.GetString(name);
    }

    private static readonly string[] KnownHeaders =
    [
        SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.Contact,
        SipHeaderNames.ContentLength, SipHeaderNames.ContentType, SipHeaderNames.MaxForwards, SipHeaderNames.RecordRoute, SipHeaderNames.Route,
        SipHeaderNames.Require, SipHeaderNames.Supported, SipHeaderNames.SessionExpires, SipHeaderNames.MinSE, SipHeaderNames.Allow,
        SipHeaderNames.PAssertedIdentity, "User-Agent", "Server",
    ];

    /// <summary>The method's name: the shared literal for the methods we handle, else a new string.</summary>
    private static string Method(ReadOnlySpan<byte> method)
    {
        foreach (var known in KnownMethods)
            if (method.Length == known.Length && Ascii.Equals(method, known)) return known;
        return Encoding.ASCII.GetString(method);
    }

    private static readonly string[] KnownMethods = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "UPDATE", "PRACK", "NOTIFY", "REFER"];

    private static int Count(List<SipHeader> headers, string name)
    {
        var n = 0;
        foreach (var h in headers)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) n++;
        return n;
    }

    private static SipParseResult Fail(SipParseStatus status) => new(status, null, 0);

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'!' or (byte)'%' or (byte)'*' or (byte)'_' or (byte)'+' or (byte)'`' or (byte)'\'' or (byte)'~';
}

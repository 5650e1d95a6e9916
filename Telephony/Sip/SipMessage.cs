namespace Switchboard.Telephony.Sip;

/// <summary>One header line as received; compact names (v, f, t, i, m, l, c, k) are expanded by the parser.</summary>
public readonly record struct SipHeader(string Name, string Value);

/// <summary>
/// A parsed SIP request or response. Vias are split into one entry per hop. The parser guarantees, for a message it
/// returns as valid, exactly one Call-ID, a CSeq with a number and method, From, To and at least one Via.
/// </summary>
public sealed class SipMessage
{
    public string? Method { get; init; }
    public string? RequestUri { get; init; }
    public int StatusCode { get; init; }
    public string? ReasonPhrase { get; init; }
    public required List<SipHeader> Headers { get; init; }
    public required List<string> Vias { get; init; }
    public ReadOnlyMemory<byte> Body { get; init; }

    public bool IsRequest => Method is not null;

    public string? Header(string name)
    {
        foreach (var h in Headers)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        return null;
    }

    public IEnumerable<string> HeaderValues(string name)
    {
        foreach (var h in Headers)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) yield return h.Value;
    }

    /// <summary>Every value of the header, in order, as a new list (no iterator).</summary>
    public List<string> HeaderValueList(string name)
    {
        var values = new List<string>(0);
        foreach (var h in Headers)
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) values.Add(h.Value);
        return values;
    }

    public string CallId => Header(SipHeaderNames.CallId) ?? "";

    public string From => Header(SipHeaderNames.From) ?? "";

    public string To => Header(SipHeaderNames.To) ?? "";

    public string? FromTag => NameAddr.Param(From, "tag");

    public string? ToTag => NameAddr.Param(To, "tag");

    public long CSeqNumber => SipParser.TryParseCSeq(Header(SipHeaderNames.CSeq), out var n, out _) ? n : -1;

    public string CSeqMethod => SipParser.TryParseCSeq(Header(SipHeaderNames.CSeq), out _, out var m) ? m : "";

    public string? TopBranch => Vias.Count > 0 ? NameAddr.Param(Vias[0], "branch") : null;

    public string? ContentType => Header(SipHeaderNames.ContentType);
}

public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string MaxForwards = "Max-Forwards";
    public const string RecordRoute = "Record-Route";
    public const string Route = "Route";
    public const string Require = "Require";
    public const string ProxyRequire = "Proxy-Require";
    public const string Supported = "Supported";
    public const string PAssertedIdentity = "P-Asserted-Identity";
    public const string Authorization = "Authorization";
    public const string ReferTo = "Refer-To";
    public const string SessionExpires = "Session-Expires";
    public const string MinSE = "Min-SE";
    public const string Allow = "Allow";
    public const string RSeq = "RSeq";
    public const string RAck = "RAck";

    /// <summary>RFC 3261 §7.3.3 compact forms.</summary>
    public static string Expand(string name) => name.Length != 1 ? name : char.ToLowerInvariant(name[0]) switch
    {
        'v' => Via,
        'f' => From,
        't' => To,
        'i' => CallId,
        'm' => Contact,
        'l' => ContentLength,
        'c' => ContentType,
        'k' => Supported,
        'r' => ReferTo,
        'x' => SessionExpires,
        _ => name,
    };
}

using Switchboard.Telephony.Sip;

namespace Switchboard.Fuzz.Targets;

/// <summary>The SIP parser as UDP (one datagram) and TCP (a stream, framed by Content-Length) read it, and the header readers the stack runs on what it accepts.</summary>
public static class SipTarget
{
    // Tight limits reach the parser's limit checks with inputs small enough for the fuzzer to find.
    private static readonly SipLimits Tight = new(MaxMessageBytes: 1_024, MaxLineBytes: 128, MaxHeaders: 8, MaxBodyBytes: 256);

    public static void Run(ReadOnlySpan<byte> input)
    {
        Read(SipParser.Parse(input));
        Read(SipParser.Parse(input, stream: true, Tight));
        Read(SipParser.Parse(input, stream: false, Tight));
        // A TCP stream: parse messages off the front until it is incomplete or bad.
        var rest = input;
        for (var i = 0; i < 8 && rest.Length > 0; i++)
        {
            var r = SipParser.Parse(rest, stream: true);
            if (!r.Ok || r.Consumed <= 0) break;
            Read(r);
            rest = rest[r.Consumed..];
        }
    }

    private static void Read(SipParseResult r)
    {
        _ = r.Reason;
        if (!r.Ok || r.Message is not { } m) return;
        _ = m.CSeqNumber;
        _ = m.CSeqMethod;
        _ = SipParser.TryParseCSeq(m.Header(SipHeaderNames.CSeq), out _, out _);
        _ = m.ToTag;
        _ = m.FromTag;
        _ = NameAddr.Uri(m.From);
        _ = NameAddr.Uri(m.To);
        if (m.RequestUri is { } uri)
        {
            _ = NameAddr.User(uri);
            _ = NameAddr.TryHostPort(uri, out _, out _);
        }
        foreach (var via in m.HeaderValues(SipHeaderNames.Via)) _ = NameAddr.TryViaSentBy(via, out _, out _, out _);
        if (m.Header(SipHeaderNames.Contact) is { } contact) _ = NameAddr.Uri(contact);
    }
}

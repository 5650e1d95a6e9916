using System.Text;

namespace Switchboard.Telephony.Tests;

/// <summary>A sample INVITE and the mutator the parser tests use; Voice.Tests links this file for its live robustness test.</summary>
internal static class SipSamples
{
    internal const string Invite =
        "INVITE sip:1000@127.0.0.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1;rport\r\n" +
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-0, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-x\r\n" +
        "From: \"Caller\" <sip:+919800000001@127.0.0.1>;tag=abc\r\n" +
        "To: <sip:1000@127.0.0.1>\r\n" +
        "i: call-1@127.0.0.1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Contact: <sip:caller@127.0.0.1:5062>\r\n" +
        "Subject: folded\r\n  across lines\r\n" +
        "Max-Forwards: 70\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var b = seed.ToList();
        var rounds = random.Next(1, 4);
        for (var k = 0; k < rounds; k++)
        {
            switch (random.Next(9))
            {
                case 0: // truncate
                    b = b.Take(random.Next(b.Count + 1)).ToList();
                    break;
                case 1: // flip a byte
                    if (b.Count > 0) b[random.Next(b.Count)] = (byte)random.Next(256);
                    break;
                case 2: // delete a span
                    if (b.Count > 10) { var at = random.Next(b.Count - 5); b.RemoveRange(at, random.Next(1, 5)); }
                    break;
                case 3: // a huge header
                    b.InsertRange(Math.Max(0, Index(b, "CSeq")), Encoding.ASCII.GetBytes("X-Huge: " + new string('h', random.Next(100, 9000)) + "\r\n"));
                    break;
                case 4: // a bad Content-Length
                    var cl = Index(b, "Content-Length: ");
                    if (cl >= 0) b.InsertRange(cl + 16, Encoding.ASCII.GetBytes(random.Next(3) switch { 0 => "9", 1 => "-", _ => "99999" }));
                    break;
                case 5: // invalid UTF-8
                    b.Insert(random.Next(b.Count + 1), (byte)random.Next(0x80, 0x100));
                    break;
                case 6: // duplicate a line
                    var lines = Encoding.UTF8.GetString(b.ToArray()).Split("\r\n").ToList();
                    if (lines.Count > 2) { var l = random.Next(1, lines.Count - 1); lines.Insert(l, lines[l]); }
                    b = Encoding.UTF8.GetBytes(string.Join("\r\n", lines)).ToList();
                    break;
                case 7: // bare LF instead of CRLF
                    var cr = b.IndexOf((byte)'\r');
                    if (cr >= 0) b.RemoveAt(cr);
                    break;
                default: // many headers
                    b.InsertRange(Math.Max(0, Index(b, "CSeq")), Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 80)).Select(i => $"X-{i}: v\r\n"))));
                    break;
            }
        }
        return [.. b];
    }

    private static int Index(List<byte> b, string s) => b.ToArray().AsSpan().IndexOf(Encoding.ASCII.GetBytes(s));
}

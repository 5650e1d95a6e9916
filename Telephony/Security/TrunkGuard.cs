using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Sip;

namespace Switchboard.Telephony.Security;

public enum TrunkDecision
{
    Allowed,
    /// <summary>Send 401 with a digest challenge.</summary>
    Challenge,
    Forbidden,
}

/// <summary>
/// Who may send us requests: loopback (unless turned off), the allow-list of SBC addresses, or a peer with valid digest
/// credentials. The address check runs before anything else and allocates nothing.
/// </summary>
public sealed class TrunkGuard
{
    private readonly bool _allowLoopback;
    private readonly (byte[] Network, int PrefixBits)[] _allowed;
    private readonly (byte[] Network, int PrefixBits)[] _encrypted;
    private readonly DigestAuthenticator? _digest;

    public TrunkGuard(TrunkPolicy options, TimeProvider time)
    {
        _allowLoopback = options.AllowLoopback;
        _allowed = options.AllowedSources.Select(ParseRange).ToArray();
        _encrypted = options.EncryptedTrunks.Select(ParseRange).ToArray();
        _digest = options.Credentials.Count > 0 ? new DigestAuthenticator(options.Realm, options.Credentials, time, options.DigestAlgorithms) : null;
    }

    public DigestAuthenticator? Digest => _digest;

    public bool IsAllowedSource(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (_allowLoopback && IPAddress.IsLoopback(source)) return true;
        return InRanges(source, _allowed);
    }

    /// <summary>Whether calls from <paramref name="source"/> must use SIP over TLS and SRTP (<c>Sip:EncryptedTrunks</c>).</summary>
    public bool RequiresEncryption(IPAddress source) =>
        InRanges(source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source, _encrypted);

    private static bool InRanges(IPAddress source, (byte[] Network, int PrefixBits)[] ranges)
    {
        if (ranges.Length == 0) return false;
        Span<byte> bytes = stackalloc byte[16];
        if (!source.TryWriteBytes(bytes, out var n)) return false;
        foreach (var (network, bits) in ranges)
            if (network.Length == n && PrefixMatches(bytes[..n], network, bits)) return true;
        return false;
    }

    public TrunkDecision Check(IPAddress source, SipMessage request)
    {
        if (IsAllowedSource(source)) return TrunkDecision.Allowed;
        if (_digest is null) return TrunkDecision.Forbidden;
        var authorization = request.Header(SipHeaderNames.Authorization);
        if (authorization is null) return TrunkDecision.Challenge;
        return _digest.Verify(authorization, request.Method!, request.RequestUri!) ? TrunkDecision.Allowed : TrunkDecision.Challenge;
    }

    private static bool PrefixMatches(ReadOnlySpan<byte> address, byte[] network, int bits)
    {
        var full = bits / 8;
        if (!address[..full].SequenceEqual(network.AsSpan(0, full))) return false;
        var rest = bits % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[full] & mask) == (network[full] & mask);
    }

    private static (byte[], int) ParseRange(string value)
    {
        var slash = value.IndexOf('/');
        var ip = IPAddress.Parse(slash < 0 ? value.Trim() : value[..slash].Trim());
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var bytes = ip.GetAddressBytes();
        var bits = slash < 0 ? bytes.Length * 8 : int.Parse(value[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (bits < 0 || bits > bytes.Length * 8) throw new FormatException($"Bad prefix length in '{value}'.");
        _ = ip.AddressFamily == AddressFamily.InterNetwork;
        return (bytes, bits);
    }
}

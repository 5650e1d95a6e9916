using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Grains.Identity;

/// <summary>
/// Opaque, signed, expiring session tokens: <c>st1.{payload}.{mac}</c> (base64url). Any silo can check one with the
/// tenant's key; the payload names tenant, customer, token id, purpose and expiry. After a master key rotation tokens are
/// signed with the new key and verified with every configured one, so links sent before the rotation keep working
/// until they expire; removing the old key from the configuration retires it.
/// </summary>
public sealed class SessionTokens(Func<string, byte[][]> keysForTenant, TimeProvider time)
{
    /// <summary>One key per tenant, nothing to rotate.</summary>
    public SessionTokens(Func<string, byte[]> keyForTenant, TimeProvider time) : this(t => [keyForTenant(t)], time) { }

    private const string Prefix = "st1.";
    public const int MaxTokenLength = 512;

    public sealed record Claims(string Tenant, string CustomerId, string TokenId, string Purpose, DateTimeOffset ExpiresAt);

    public string Issue(string tenant, string customerId, string purpose, TimeSpan lifetime, out Claims claims)
    {
        var tokenId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        claims = new Claims(tenant, customerId, tokenId, purpose, time.GetUtcNow().Add(lifetime));
        var payload = Encoding.UTF8.GetBytes(string.Join('\n', tenant, customerId, tokenId, purpose, claims.ExpiresAt.ToUnixTimeSeconds()));
        var mac = HMACSHA256.HashData(keysForTenant(tenant)[0], payload).AsSpan(0, 16);
        return Prefix + Base64Url(payload) + "." + Base64Url(mac);
    }

    /// <summary>The claims of a token signed for <paramref name="tenant"/> and not expired; null otherwise.</summary>
    public Claims? Validate(string tenant, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var rest = token.AsSpan(Prefix.Length);
        var dot = rest.IndexOf('.');
        if (dot <= 0) return null;
        byte[] payload, mac;
        try
        {
            payload = FromBase64Url(rest[..dot].ToString());
            mac = FromBase64Url(rest[(dot + 1)..].ToString());
        }
        catch (FormatException) { return null; }
        if (mac.Length != 16 || !SignedByAny(keysForTenant(tenant), payload, mac)) return null;
        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 5 || parts[0] != tenant || !long.TryParse(parts[4], out var exp)) return null;
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires <= time.GetUtcNow()) return null;
        return new Claims(parts[0], parts[1], parts[2], parts[3], expires);
    }

    /// <summary>Every key is tried, so the time taken does not say which one signed.</summary>
    private static bool SignedByAny(byte[][] keys, byte[] payload, byte[] mac)
    {
        var signed = false;
        Span<byte> expected = stackalloc byte[32];
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, payload, expected);
            signed |= CryptographicOperations.FixedTimeEquals(expected[..16], mac);
        }
        return signed;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        b = b.PadRight(b.Length + (4 - b.Length % 4) % 4, '=');
        return Convert.FromBase64String(b);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Telephony.Security;

/// <summary>
/// SIP digest authentication (RFC 3261 §22, RFC 8760): challenges with SHA-256 and MD5, verifies qop=auth responses.
/// Nonces are stateless: a timestamp and an HMAC of it, valid for five minutes, so a scanner costs us no memory.
/// </summary>
public sealed class DigestAuthenticator(string realm, IEnumerable<SipCredential> credentials, TimeProvider time, IReadOnlyList<string>? algorithms = null)
{
    private readonly IReadOnlyList<string> _algorithms = algorithms is { Count: > 0 } ? algorithms : ["SHA-256", "MD5"];
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(5);
    private readonly byte[] _nonceKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, string> _passwords = credentials.ToDictionary(c => c.Username, c => c.Password, StringComparer.Ordinal);

    public string Realm => realm;

    /// <summary>The WWW-Authenticate header values to send with a 401, in preference order (SHA-256 first, MD5 for older peers, by default).</summary>
    public IEnumerable<string> Challenges()
    {
        var nonce = NewNonce();
        foreach (var algorithm in _algorithms)
            yield return $"Digest realm=\"{realm}\", nonce=\"{nonce}\", algorithm={algorithm}, qop=\"auth\"";
    }

    public bool Verify(string authorization, string method, string requestUri)
    {
        if (!authorization.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)) return false;
        var p = ParseParams(authorization[7..]);
        if (!p.TryGetValue("username", out var user) || !p.TryGetValue("realm", out var r) || r != realm
            || !p.TryGetValue("nonce", out var nonce) || !p.TryGetValue("uri", out var uri) || !p.TryGetValue("response", out var response)
            || !_passwords.TryGetValue(user, out var password) || !NonceIsFresh(nonce))
            return false;
        _ = requestUri;
        var algorithm = p.GetValueOrDefault("algorithm", "MD5");
        if (!_algorithms.Contains(algorithm, StringComparer.OrdinalIgnoreCase)) return false;
        Func<string, string> h = algorithm.ToUpperInvariant() switch
        {
            "MD5" => s => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s))),
            "SHA-256" => s => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s))),
            _ => _ => "",
        };
        var ha1 = h($"{user}:{realm}:{password}");
        var ha2 = h($"{method}:{uri}");
        string expected;
        if (p.TryGetValue("qop", out var qop))
        {
            if (qop != "auth" || !p.TryGetValue("nc", out var nc) || !p.TryGetValue("cnonce", out var cnonce)) return false;
            expected = h($"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}");
        }
        else expected = h($"{ha1}:{nonce}:{ha2}");
        return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
    }

    private string NewNonce()
    {
        var stamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return stamp + "." + Convert.ToHexStringLower(HMACSHA256.HashData(_nonceKey, Encoding.ASCII.GetBytes(stamp)))[..32];
    }

    private bool NonceIsFresh(string nonce)
    {
        var dot = nonce.IndexOf('.');
        if (dot <= 0 || !long.TryParse(nonce[..dot], out var seconds)) return false;
        var mac = Convert.ToHexStringLower(HMACSHA256.HashData(_nonceKey, Encoding.ASCII.GetBytes(nonce[..dot])))[..32];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(mac), Encoding.ASCII.GetBytes(nonce[(dot + 1)..]))) return false;
        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age >= TimeSpan.FromSeconds(-5) && age <= NonceLifetime;
    }

    private static Dictionary<string, string> ParseParams(string s)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == ',')) i++;
            var eq = s.IndexOf('=', i);
            if (eq < 0) break;
            var key = s[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var close = s.IndexOf('"', i + 1);
                if (close < 0) break;
                value = s[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var comma = s.IndexOf(',', i);
                value = (comma < 0 ? s[i..] : s[i..comma]).Trim();
                i = comma < 0 ? s.Length : comma;
            }
            result[key] = value;
        }
        return result;
    }
}

namespace Switchboard.Telephony.Sdp;

/// <summary>
/// One SDES crypto attribute (RFC 4568 §9.1): <c>a=crypto:&lt;tag&gt; &lt;suite&gt; inline:&lt;base64 key||salt&gt;[|lifetime][|MKI:length]</c>.
/// Only the first key of the attribute is kept; a key with an MKI is not usable by us (we send no MKI).
/// </summary>
public sealed record SdesCrypto(int Tag, string Suite, byte[] KeyAndSalt, bool HasMki)
{
    public const string AesCm128HmacSha1_80 = "AES_CM_128_HMAC_SHA1_80";
    public const int KeyAndSaltLength = 30;

    /// <summary>The one suite we implement, with a 30-byte key and no MKI.</summary>
    public bool Usable => Suite.Equals(AesCm128HmacSha1_80, StringComparison.Ordinal) && KeyAndSalt.Length == KeyAndSaltLength && !HasMki;

    /// <summary>Parses the value after <c>a=crypto:</c>; false for anything malformed.</summary>
    public static bool TryParse(string value, out SdesCrypto? crypto)
    {
        crypto = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || !int.TryParse(parts[0], out var tag) || tag is < 0 or > 999_999_999) return false;
        var keyParams = parts[2].Split(';')[0];
        if (!keyParams.StartsWith("inline:", StringComparison.Ordinal)) return false;
        var fields = keyParams[7..].Split('|');
        var key = new byte[64];
        if (!Convert.TryFromBase64String(fields[0], key, out var written)) return false;
        var hasMki = fields.Skip(1).Any(f => f.Contains(':'));
        crypto = new SdesCrypto(tag, parts[1], key[..written], hasMki);
        return true;
    }

    /// <summary>The attribute value for our side: same tag and suite, our own key.</summary>
    public static string Format(int tag, ReadOnlySpan<byte> keyAndSalt) => $"{tag} {AesCm128HmacSha1_80} inline:{Convert.ToBase64String(keyAndSalt)}";
}

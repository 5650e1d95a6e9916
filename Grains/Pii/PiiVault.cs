using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Grains.Pii;

/// <summary>
/// Seals and opens raw PII values with AES-256-GCM; the token is the associated data, so a sealed value cannot be moved
/// to another token. A vault holds one key per master key id: new values are sealed under the active one and carry its
/// id, so after a master key rotation old values still open and <see cref="Rewrap"/> moves them to the new key.
/// Values sealed before key ids existed have no header and open with the legacy key (the unnamed <c>Pii:MasterKey</c>).
/// </summary>
public sealed class PiiVault
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    // "SBK" + format 1, then the key id's length and its ASCII bytes.
    private static readonly byte[] Magic = [(byte)'S', (byte)'B', (byte)'K', 1];

    private readonly byte[]? _legacy;
    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly string? _activeId;

    /// <summary>A vault with only the legacy key: values are sealed without a key id, as before rotation existed.</summary>
    public PiiVault(byte[] key) : this(key, new Dictionary<string, byte[]>(), null) { }

    /// <param name="legacyKey">Opens values without a key id; null once every vault was rewrapped and the key retired.</param>
    /// <param name="keys">Vault keys by master key id.</param>
    /// <param name="activeId">The id new values are sealed under; null seals with the legacy key.</param>
    public PiiVault(byte[]? legacyKey, IReadOnlyDictionary<string, byte[]> keys, string? activeId)
    {
        if (activeId is null && legacyKey is null) throw new ArgumentException("A vault needs a key to seal with.");
        if (activeId is not null && !keys.ContainsKey(activeId)) throw new ArgumentException($"The active key id '{activeId}' has no key.", nameof(activeId));
        _legacy = legacyKey;
        _keys = keys;
        _activeId = activeId;
    }

    /// <summary>The id new values are sealed under (null: the legacy key).</summary>
    public string? ActiveKeyId => _activeId;

    public byte[] Seal(string token, string raw)
    {
        var header = _activeId is null ? [] : Header(_activeId);
        var key = _activeId is null ? _legacy! : _keys[_activeId];
        var plain = Encoding.UTF8.GetBytes(raw);
        var sealedValue = new byte[header.Length + NonceSize + plain.Length + TagSize];
        header.CopyTo(sealedValue, 0);
        var body = sealedValue.AsSpan(header.Length);
        RandomNumberGenerator.Fill(body[..NonceSize]);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(body[..NonceSize], plain, body.Slice(NonceSize, plain.Length), body[(NonceSize + plain.Length)..], Encoding.UTF8.GetBytes(token));
        CryptographicOperations.ZeroMemory(plain);
        return sealedValue;
    }

    public string Open(string token, byte[] sealedValue)
    {
        if (KeyIdOf(sealedValue) is { } id && _keys.TryGetValue(id, out var key) && TryOpen(key, token, sealedValue.AsSpan(HeaderLength(sealedValue)), out var raw))
            return raw;
        // No header, or a legacy nonce that happens to start like one (one in 2^32): the legacy key.
        if (_legacy is not null && TryOpen(_legacy, token, sealedValue, out raw)) return raw;
        throw new CryptographicException(KeyIdOf(sealedValue) is { } missing && !_keys.ContainsKey(missing)
            ? $"The value was sealed under master key id '{missing}', which is not configured."
            : "The sealed value does not open under any configured key.");
    }

    /// <summary>The value re-sealed under the active key; the same array when it already is.</summary>
    public byte[] Rewrap(string token, byte[] sealedValue) =>
        _activeId is not null && KeyIdOf(sealedValue) == _activeId ? sealedValue : Seal(token, Open(token, sealedValue));

    /// <summary>The master key id a value was sealed under; null for a value without one (the legacy key).</summary>
    public static string? KeyIdOf(byte[] sealedValue)
    {
        if (sealedValue.Length < Magic.Length + 1 || !sealedValue.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        var length = sealedValue[Magic.Length];
        if (length == 0 || sealedValue.Length < Magic.Length + 1 + length + NonceSize + TagSize) return null;
        var id = sealedValue.AsSpan(Magic.Length + 1, length);
        foreach (var b in id) if (!MasterKeyId.IsIdByte(b)) return null;
        return Encoding.ASCII.GetString(id);
    }

    private static int HeaderLength(byte[] sealedValue) => Magic.Length + 1 + sealedValue[Magic.Length];

    private static byte[] Header(string id)
    {
        var header = new byte[Magic.Length + 1 + id.Length];
        Magic.CopyTo(header, 0);
        header[Magic.Length] = (byte)id.Length;
        Encoding.ASCII.GetBytes(id, header.AsSpan(Magic.Length + 1));
        return header;
    }

    private static bool TryOpen(byte[] key, string token, ReadOnlySpan<byte> body, out string raw)
    {
        raw = "";
        if (body.Length < NonceSize + TagSize) return false;
        var plainLength = body.Length - NonceSize - TagSize;
        var plain = new byte[plainLength];
        using var aes = new AesGcm(key, TagSize);
        try { aes.Decrypt(body[..NonceSize], body.Slice(NonceSize, plainLength), body[(NonceSize + plainLength)..], plain, Encoding.UTF8.GetBytes(token)); }
        catch (AuthenticationTagMismatchException) { return false; }
        raw = Encoding.UTF8.GetString(plain);
        return true;
    }
}

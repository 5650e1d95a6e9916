using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Grains.Pii;

/// <summary>Seals and opens raw PII values with AES-256-GCM; the token is the associated data, so a sealed value cannot be moved to another token.</summary>
public sealed class PiiVault(byte[] key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(string token, string raw)
    {
        var plain = Encoding.UTF8.GetBytes(raw);
        var sealedValue = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(NonceSize, plain.Length), sealedValue.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(token));
        CryptographicOperations.ZeroMemory(plain);
        return sealedValue;
    }

    public string Open(string token, byte[] sealedValue)
    {
        if (sealedValue.Length < NonceSize + TagSize) throw new CryptographicException("Sealed value too short.");
        var plainLength = sealedValue.Length - NonceSize - TagSize;
        var plain = new byte[plainLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedValue.AsSpan(0, NonceSize), sealedValue.AsSpan(NonceSize, plainLength), sealedValue.AsSpan(NonceSize + plainLength), plain, Encoding.UTF8.GetBytes(token));
        return Encoding.UTF8.GetString(plain);
    }
}

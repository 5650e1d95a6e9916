using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Grains.Pii;

/// <summary>
/// Derives every key a customer needs from the deployment's master key and a random per-customer salt kept in its own
/// state record. Erasing that record crypto-shreds the vault: without the salt the master key opens nothing.
/// </summary>
public sealed class CustomerKeys
{
    private readonly byte[] _master;

    public CustomerKeys(byte[] masterKey)
    {
        if (masterKey.Length < 32) throw new ArgumentException("The PII master key must be at least 32 bytes.", nameof(masterKey));
        _master = masterKey;
    }

    public static CustomerKeys FromOptions(PiiOptions options, out bool generated)
    {
        generated = string.IsNullOrWhiteSpace(options.MasterKey);
        if (generated) return new CustomerKeys(RandomNumberGenerator.GetBytes(32));
        byte[] key;
        try { key = Convert.FromBase64String(options.MasterKey!); }
        catch (FormatException) { throw new InvalidOperationException("Pii:MasterKey is not valid base64."); }
        if (key.Length < 32) throw new InvalidOperationException("Pii:MasterKey must decode to at least 32 bytes.");
        return new CustomerKeys(key);
    }

    public byte[] VaultKey(string tenant, string customerId, byte[] salt) => Derive(salt, $"switchboard/vault/{tenant}/{customerId}");

    public byte[] TokenKey(string tenant, string customerId, byte[] salt) => Derive(salt, $"switchboard/pii-token/{tenant}/{customerId}");

    /// <summary>Session tokens are checked by any silo without the customer's state, so their key is per tenant.</summary>
    public byte[] SessionTokenKey(string tenant) => Derive([], $"switchboard/session-token/{tenant}");

    /// <summary>Pseudonymises addresses in identity grain keys; per tenant, so identity lookups need no customer state.</summary>
    public byte[] AddressKey(string tenant) => Derive([], $"switchboard/address/{tenant}");

    private byte[] Derive(byte[] salt, string info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _master, 32, salt, Encoding.UTF8.GetBytes(info));
}

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
    private readonly IReadOnlyDictionary<string, byte[]> _vaultMasters;
    private readonly string? _activeId;
    private readonly bool _legacyRetired;

    public CustomerKeys(byte[] masterKey) : this(masterKey, new Dictionary<string, byte[]>(), null, false) { }

    /// <param name="masterKey">Roots token, address and session-token keys, and seals vault values without a key id.</param>
    /// <param name="vaultMasters">Named master keys for vault values (rotation).</param>
    /// <param name="activeId">The named key new vault values are sealed under; null: <paramref name="masterKey"/>.</param>
    /// <param name="legacyRetired">Vault values without a key id no longer open (every vault was rewrapped).</param>
    public CustomerKeys(byte[] masterKey, IReadOnlyDictionary<string, byte[]> vaultMasters, string? activeId, bool legacyRetired)
    {
        if (masterKey.Length < 32) throw new ArgumentException("The PII master key must be at least 32 bytes.", nameof(masterKey));
        foreach (var (id, key) in vaultMasters)
        {
            if (!MasterKeyId.IsValid(id)) throw new ArgumentException($"'{id}' is not a master key id (1 to 32 of A-Z a-z 0-9 . _ -).", nameof(vaultMasters));
            if (key.Length < 32) throw new ArgumentException($"Master key '{id}' must be at least 32 bytes.", nameof(vaultMasters));
        }
        if (activeId is not null && !vaultMasters.ContainsKey(activeId)) throw new ArgumentException($"Pii:ActiveMasterKey '{activeId}' is not in Pii:MasterKeys.", nameof(activeId));
        if (legacyRetired && activeId is null) throw new ArgumentException("Pii:RetireLegacyVaultKey needs Pii:ActiveMasterKey: there would be no key to seal with.", nameof(legacyRetired));
        _master = masterKey;
        _vaultMasters = vaultMasters;
        _activeId = activeId;
        _legacyRetired = legacyRetired;
    }

    /// <summary>The master key id new vault values are sealed under; null: the unnamed <c>Pii:MasterKey</c>.</summary>
    public string? ActiveMasterKeyId => _activeId;

    /// <summary>A customer's vault: every configured master key's vault key, sealing under the active one.</summary>
    public PiiVault Vault(string tenant, string customerId, byte[] salt)
    {
        var info = $"switchboard/vault/{tenant}/{customerId}";
        var keys = _vaultMasters.ToDictionary(k => k.Key, k => Derive(k.Value, salt, info));
        return new PiiVault(_legacyRetired ? null : Derive(_master, salt, info), keys, _activeId);
    }

    public static CustomerKeys FromOptions(PiiOptions options, out bool generated)
    {
        generated = string.IsNullOrWhiteSpace(options.MasterKey);
        if (generated) return new CustomerKeys(RandomNumberGenerator.GetBytes(32));
        byte[] key;
        try { key = Convert.FromBase64String(options.MasterKey!); }
        catch (FormatException) { throw new InvalidOperationException("Pii:MasterKey is not valid base64."); }
        if (key.Length < 32) throw new InvalidOperationException("Pii:MasterKey must decode to at least 32 bytes.");
        var named = new Dictionary<string, byte[]>();
        foreach (var (id, value) in options.MasterKeys)
        {
            try { named[id] = Convert.FromBase64String(value); }
            catch (FormatException) { throw new InvalidOperationException($"Pii:MasterKeys:{id} is not valid base64."); }
        }
        var active = string.IsNullOrWhiteSpace(options.ActiveMasterKey) ? null : options.ActiveMasterKey;
        try { return new CustomerKeys(key, named, active, options.RetireLegacyVaultKey); }
        catch (ArgumentException e) { throw new InvalidOperationException(e.Message.Split(" (Parameter")[0]); }
    }

    public byte[] VaultKey(string tenant, string customerId, byte[] salt) => Derive(salt, $"switchboard/vault/{tenant}/{customerId}");

    public byte[] TokenKey(string tenant, string customerId, byte[] salt) => Derive(salt, $"switchboard/pii-token/{tenant}/{customerId}");

    /// <summary>Session tokens are checked by any silo without the customer's state, so their key is per tenant.</summary>
    public byte[] SessionTokenKey(string tenant) => Derive([], $"switchboard/session-token/{tenant}");

    /// <summary>Pseudonymises addresses in identity grain keys; per tenant, so identity lookups need no customer state.</summary>
    public byte[] AddressKey(string tenant) => Derive([], $"switchboard/address/{tenant}");

    private byte[] Derive(byte[] salt, string info) => Derive(_master, salt, info);

    private static byte[] Derive(byte[] master, byte[] salt, string info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt, Encoding.UTF8.GetBytes(info));
}

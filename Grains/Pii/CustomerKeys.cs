using System.Security.Cryptography;
using System.Text;
using Switchboard.Addressing;

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
    /// <summary>The roots of token, address and session-token keys: the active master key first, then the older ones still configured.</summary>
    private readonly byte[][] _pseudonymRoots;
    private readonly IReadOnlyList<string> _pseudonymRootIds;

    public CustomerKeys(byte[] masterKey) : this(masterKey, new Dictionary<string, byte[]>(), null, false) { }

    public CustomerKeys(byte[] masterKey, IReadOnlyDictionary<string, byte[]> vaultMasters, string? activeId, bool legacyRetired)
        : this(masterKey, vaultMasters, activeId, legacyRetired, legacyPseudonymsRetired: false) { }

    /// <param name="masterKey">Roots token, address and session-token keys, and seals vault values without a key id.</param>
    /// <param name="vaultMasters">Named master keys for vault values (rotation).</param>
    /// <param name="activeId">The named key new vault values are sealed under; null: <paramref name="masterKey"/>.</param>
    /// <param name="legacyRetired">Vault values without a key id no longer open (every vault was rewrapped).</param>
    /// <param name="legacyPseudonymsRetired">
    /// <paramref name="masterKey"/> no longer roots older token, address and session-token keys (every address was
    /// re-keyed by a pass of the rewrap job): lookups try the named keys only.
    /// </param>
    public CustomerKeys(byte[] masterKey, IReadOnlyDictionary<string, byte[]> vaultMasters, string? activeId, bool legacyRetired, bool legacyPseudonymsRetired)
    {
        if (masterKey.Length < 32) throw new ArgumentException("The PII master key must be at least 32 bytes.", nameof(masterKey));
        foreach (var (id, key) in vaultMasters)
        {
            if (!MasterKeyId.IsValid(id)) throw new ArgumentException($"'{id}' is not a master key id (1 to 32 of A-Z a-z 0-9 . _ -).", nameof(vaultMasters));
            if (key.Length < 32) throw new ArgumentException($"Master key '{id}' must be at least 32 bytes.", nameof(vaultMasters));
        }
        if (activeId is not null && !vaultMasters.ContainsKey(activeId)) throw new ArgumentException($"Pii:ActiveMasterKey '{activeId}' is not in Pii:MasterKeys.", nameof(activeId));
        if (legacyRetired && activeId is null) throw new ArgumentException("Pii:RetireLegacyVaultKey needs Pii:ActiveMasterKey: there would be no key to seal with.", nameof(legacyRetired));
        if (legacyPseudonymsRetired && activeId is null) throw new ArgumentException("Pii:RetireLegacyPseudonymKeys needs Pii:ActiveMasterKey: there would be no key to make pseudonyms with.", nameof(legacyPseudonymsRetired));
        _master = masterKey;
        _vaultMasters = vaultMasters;
        _activeId = activeId;
        _legacyRetired = legacyRetired;
        // New pseudonyms come from the active key; the others only find what was made before the rotation.
        var roots = new List<(string Id, byte[] Key)> { activeId is null ? (LegacyId, masterKey) : (activeId, vaultMasters[activeId]) };
        roots.AddRange(vaultMasters.Where(k => k.Key != activeId).OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Value)));
        if (activeId is not null && !legacyPseudonymsRetired) roots.Add((LegacyId, masterKey));
        _pseudonymRoots = [.. roots.Select(r => r.Key)];
        _pseudonymRootIds = [.. roots.Select(r => r.Id)];
    }

    /// <summary>How the unnamed <c>Pii:MasterKey</c> is reported.</summary>
    public const string LegacyId = "legacy";

    /// <summary>The master key ids that root token, address and session-token keys, the active one first (<see cref="LegacyId"/> for <c>Pii:MasterKey</c>).</summary>
    public IReadOnlyList<string> PseudonymKeyIds => _pseudonymRootIds;

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
        try { return new CustomerKeys(key, named, active, options.RetireLegacyVaultKey, options.RetireLegacyPseudonymKeys); }
        catch (ArgumentException e) { throw new InvalidOperationException(e.Message.Split(" (Parameter")[0]); }
    }

    public byte[] VaultKey(string tenant, string customerId, byte[] salt) => Derive(salt, $"switchboard/vault/{tenant}/{customerId}");

    /// <summary>The key new PII tokens of a customer are made with (under the active master key).</summary>
    public byte[] TokenKey(string tenant, string customerId, byte[] salt) => TokenKeys(tenant, customerId, salt)[0];

    /// <summary>A customer's token keys, the active one first; the others only recognise tokens made before a rotation.</summary>
    public byte[][] TokenKeys(string tenant, string customerId, byte[] salt) =>
        DeriveAll(salt, $"switchboard/pii-token/{tenant}/{customerId}");

    /// <summary>A customer's tokenizer: new tokens under the active key, a value already in <paramref name="known"/> (the vault) under an older key keeps its token.</summary>
    public PiiTokenizer Tokenizer(string tenant, string customerId, byte[] salt, Func<string, bool> known) =>
        new(TokenKeys(tenant, customerId, salt), known);

    /// <summary>Session tokens are checked by any silo without the customer's state, so their key is per tenant.</summary>
    public byte[] SessionTokenKey(string tenant) => SessionTokenKeys(tenant)[0];

    /// <summary>Session-token keys, the signing (active) one first; the others still verify tokens signed before a rotation.</summary>
    public byte[][] SessionTokenKeys(string tenant) => DeriveAll([], $"switchboard/session-token/{tenant}");

    /// <summary>Pseudonymises addresses in identity grain keys; per tenant, so identity lookups need no customer state.</summary>
    public byte[] AddressKey(string tenant) => AddressKeys(tenant)[0];

    /// <summary>Address keys, the active one first; the others find identities bound before a rotation.</summary>
    public byte[][] AddressKeys(string tenant) => DeriveAll([], $"switchboard/address/{tenant}");

    /// <summary>
    /// The recipient seal of outbound messages: every configured master key opens (the unnamed <c>Pii:MasterKey</c> even
    /// once retired for vault values and pseudonyms: it stays configured), the active one seals.
    /// </summary>
    public RecipientSeal Recipients()
    {
        var keys = new Dictionary<string, byte[]>(_vaultMasters) { [RecipientSeal.LegacyId] = _master };
        return new RecipientSeal(keys, _activeId ?? RecipientSeal.LegacyId);
    }

    private byte[][] DeriveAll(byte[] salt, string info) => [.. _pseudonymRoots.Select(root => Derive(root, salt, info))];

    private byte[] Derive(byte[] salt, string info) => Derive(_master, salt, info);

    private static byte[] Derive(byte[] master, byte[] salt, string info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt, Encoding.UTF8.GetBytes(info));
}

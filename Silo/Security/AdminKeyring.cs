using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using Switchboard.Channels.Common;

namespace Switchboard.Silo.Security;

/// <summary>What an admin key may do. <c>Admin:ApiKey</c> holds every scope; <c>Admin:Keys</c> entries hold the ones listed.</summary>
public static class AdminScopes
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string PiiResolve = "pii:resolve";
    public const string Erase = "erase";

    public static readonly IReadOnlyList<string> All = [Read, Operate, PiiResolve, Erase];
}

/// <summary>
/// One configured key: its name (for the audit log, never the key itself), the SHA-256 of its value, its scopes and,
/// for a scoped key, when it stops being accepted (<c>Admin:Keys:{name}:Expires</c>, ISO 8601; none by default).
/// </summary>
public sealed record AdminKey(string Name, byte[] Digest, IReadOnlySet<string> Scopes, DateTimeOffset? Expires = null)
{
    /// <summary>Names this value of the key without revealing it (a hash of the digest), so a session can end when the key is rotated.</summary>
    public string Id { get; } = Convert.ToHexStringLower(SHA256.HashData(Digest).AsSpan(0, 8));
}

/// <summary>
/// The admin keys the engine accepts: <c>Admin:ApiKey</c> (every scope) and <c>Admin:Keys:{name}:{Key,Scopes,Expires}</c>.
/// A presented key is hashed and compared with every configured digest in constant time, so neither its content
/// nor its length nor which key matched shows in the response time. <see cref="Watch"/> follows the configuration: when
/// a reloadable source (a JSON file, a directory of key files) changes, the keys are read again, so a key is added,
/// rotated or revoked without a restart; a change that does not validate keeps the keys in force and is logged.
/// </summary>
public sealed class AdminKeyring
{
    public const string FullKeyName = "admin";

    private volatile AdminKey[] _keys;

    public AdminKeyring(IEnumerable<AdminKey> keys) => _keys = [.. keys];

    public IReadOnlyList<AdminKey> Keys => _keys;

    /// <summary>How many times the keys were replaced after a configuration change (for operators and tests).</summary>
    public int Reloads { get; private set; }

    /// <summary>
    /// Re-reads the keys whenever <paramref name="config"/> reloads. <c>Admin:ApiKey</c> may change too; while it is
    /// unset the key generated at start (<paramref name="admin"/>) stays the full key.
    /// </summary>
    public IDisposable Watch(IConfiguration config, AdminOptions admin, ILogger logger) =>
        ChangeToken.OnChange(config.GetReloadToken, () =>
        {
            try
            {
                var configured = config[$"{AdminOptions.Section}:ApiKey"];
                if (configured is { Length: > 0 and < 16 }) throw new InvalidOperationException("Admin:ApiKey must be at least 16 characters.");
                var fresh = FromConfiguration(config, new AdminOptions { ApiKey = string.IsNullOrEmpty(configured) ? admin.ApiKey : configured });
                if (SameKeys(fresh._keys, _keys)) return;
                _keys = fresh._keys;
                Reloads++;
                logger.LogInformation("Admin keys reloaded from the configuration: {Names}", string.Join(", ", fresh._keys.Select(k => k.Name)));
            }
            catch (InvalidOperationException e)
            {
                // The message names the setting, never a key's value.
                logger.LogError("Admin keys not reloaded, the ones in force stay: {Problem}", e.Message);
            }
        });

    private static bool SameKeys(AdminKey[] a, AdminKey[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Digest.AsSpan().SequenceEqual(p.Second.Digest)
            && p.First.Scopes.SetEquals(p.Second.Scopes) && p.First.Expires == p.Second.Expires);

    public static AdminKeyring FromConfiguration(IConfiguration config, AdminOptions admin)
    {
        var keys = new List<AdminKey> { new(FullKeyName, Digest(admin.ApiKey!), AdminScopes.All.ToHashSet()) };
        foreach (var entry in config.GetSection(AdminOptions.Section).GetSection("Keys").GetChildren())
        {
            if (string.Equals(entry.Key, FullKeyName, StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Admin:Keys:{entry.Key} takes the name of Admin:ApiKey in the audit log; name it after who uses it.");
            var value = entry["Key"];
            if (string.IsNullOrWhiteSpace(value) || value.Length < 16)
                throw new InvalidOperationException($"Admin:Keys:{entry.Key}:Key must be set and at least 16 characters.");
            var scopes = entry.GetSection("Scopes").Get<string[]>() ?? [];
            if (scopes.Length == 0 || scopes.Any(s => !AdminScopes.All.Contains(s)))
                throw new InvalidOperationException(
                    $"Admin:Keys:{entry.Key}:Scopes must list one or more of {string.Join(", ", AdminScopes.All)}.");
            DateTimeOffset? expires = null;
            if (entry["Expires"] is { Length: > 0 } text)
                expires = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : throw new InvalidOperationException($"Admin:Keys:{entry.Key}:Expires must be an ISO 8601 date or time (2027-03-31 or 2027-03-31T18:00:00Z).");
            keys.Add(new AdminKey(entry.Key, Digest(value), scopes.ToHashSet(), expires));
        }
        var duplicate = keys.GroupBy(k => Convert.ToHexString(k.Digest)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Admin keys {string.Join(" and ", duplicate.Select(k => k.Name))} have the same value; give each its own.");
        return new AdminKeyring(keys);
    }

    /// <summary>The key <paramref name="presented"/> is, or null (also once it has expired); always compares against every key.</summary>
    public AdminKey? Match(string presented, DateTimeOffset now) => Find(presented) is { } key && !(key.Expires <= now) ? key : null;

    /// <summary>The configured key <paramref name="presented"/> is, expired or not; always compares against every key.</summary>
    public AdminKey? Find(string presented)
    {
        var digest = Digest(presented);
        AdminKey? match = null;
        foreach (var key in _keys)
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest)) match = key;
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

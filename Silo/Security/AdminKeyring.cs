using System.Security.Cryptography;
using System.Text;
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

/// <summary>One configured key: its name (for the audit log, never the key itself), the SHA-256 of its value and its scopes.</summary>
public sealed record AdminKey(string Name, byte[] Digest, IReadOnlySet<string> Scopes);

/// <summary>
/// The admin keys the engine accepts: <c>Admin:ApiKey</c> (every scope) and <c>Admin:Keys:{name}:{Key,Scopes}</c>.
/// A presented key is hashed and compared with every configured digest in constant time, so neither its content
/// nor its length nor which key matched shows in the response time.
/// </summary>
public sealed class AdminKeyring
{
    public const string FullKeyName = "admin";

    private readonly AdminKey[] _keys;

    public AdminKeyring(IEnumerable<AdminKey> keys) => _keys = [.. keys];

    public IReadOnlyList<AdminKey> Keys => _keys;

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
            keys.Add(new AdminKey(entry.Key, Digest(value), scopes.ToHashSet()));
        }
        var duplicate = keys.GroupBy(k => Convert.ToHexString(k.Digest)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Admin keys {string.Join(" and ", duplicate.Select(k => k.Name))} have the same value; give each its own.");
        return new AdminKeyring(keys);
    }

    /// <summary>The key <paramref name="presented"/> is, or null; always compares against every key.</summary>
    public AdminKey? Match(string presented)
    {
        var digest = Digest(presented);
        AdminKey? match = null;
        foreach (var key in _keys)
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest)) match = key;
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Identity;

/// <summary>
/// Keys identity grains by an HMAC of the normalised address (per tenant), so grain ids, Redis keys, file names and the
/// dashboard never show a phone number.
/// <para>
/// After a master key rotation an address has one pseudonym per configured key. New bindings are made under the active
/// key only; a lookup tries the active key's identity first and then the older ones, and an address found under an
/// older key is moved on the spot (bound under the active key, then unbound under the old one), so a returning
/// customer stays the same customer. The rewrap job moves the addresses of everyone else
/// (<see cref="RekeyAsync"/>); after a pass with nothing failed, the old key can be retired.
/// </para>
/// </summary>
public sealed class AddressPseudonyms(CustomerKeys keys)
{
    private const int TenantsCached = 1024;
    private readonly ConcurrentDictionary<string, byte[][]> _keys = new(StringComparer.Ordinal);

    /// <summary>Whether lookups have older keys to try (a rotation is under way).</summary>
    public bool Rotating => keys.PseudonymKeyIds.Count > 1;

    /// <summary>The identity grain key of an address under the active key: where new bindings go.</summary>
    public string IdentityKey(string tenant, ChannelAddress normalized) => IdentityKey(KeysOf(tenant)[0], tenant, normalized);

    /// <summary>The identity grain keys of an address under every configured key, the active one first.</summary>
    public IReadOnlyList<string> IdentityKeys(string tenant, ChannelAddress normalized) =>
        [.. KeysOf(tenant).Select(k => IdentityKey(k, tenant, normalized))];

    /// <summary>The customer an address belongs to, or null; an address still under an older key is moved to the active one.</summary>
    public async Task<string?> FindAsync(IGrainFactory grains, string tenant, ChannelAddress normalized)
    {
        var ids = IdentityKeys(tenant, normalized);
        var current = grains.GetGrain<IIdentityGrain>(ids[0]);
        if (await current.GetCustomerId() is { } found) return found;
        return await MoveFromOlderAsync(grains, ids);
    }

    /// <summary>The customer an address belongs to, binding <paramref name="candidateCustomerId"/> (under the active key) when it has none.</summary>
    public async Task<string> GetOrBindAsync(IGrainFactory grains, string tenant, ChannelAddress normalized, string candidateCustomerId)
    {
        var ids = IdentityKeys(tenant, normalized);
        var current = grains.GetGrain<IIdentityGrain>(ids[0]);
        // Without a rotation this is one call, as it always was.
        if (ids.Count == 1) return await current.GetOrBind(candidateCustomerId);
        if (await current.GetCustomerId() is { } found) return found;
        return await MoveFromOlderAsync(grains, ids) ?? await current.GetOrBind(candidateCustomerId);
    }

    /// <summary>Removes whatever an older key's identity of this address holds (after a bind under the active key).</summary>
    public async Task UnbindOlderAsync(IGrainFactory grains, string tenant, ChannelAddress normalized)
    {
        foreach (var older in IdentityKeys(tenant, normalized).Skip(1))
        {
            var identity = grains.GetGrain<IIdentityGrain>(older);
            if (await identity.GetCustomerId() is { } stale) await identity.Unbind(stale);
        }
    }

    /// <summary>Removes the address's bindings to <paramref name="customerId"/> under every configured key (erasure).</summary>
    public async Task UnbindAsync(IGrainFactory grains, string tenant, ChannelAddress normalized, string customerId)
    {
        foreach (var id in IdentityKeys(tenant, normalized))
            await grains.GetGrain<IIdentityGrain>(id).Unbind(customerId);
    }

    /// <summary>Moves whatever an older key's identity of this address holds under the active key; the number of bindings moved.</summary>
    public async Task<int> RekeyAsync(IGrainFactory grains, string tenant, ChannelAddress normalized)
    {
        var ids = IdentityKeys(tenant, normalized);
        var moved = 0;
        var current = grains.GetGrain<IIdentityGrain>(ids[0]);
        foreach (var older in ids.Skip(1))
        {
            var identity = grains.GetGrain<IIdentityGrain>(older);
            if (await identity.GetCustomerId() is not { } bound) continue;
            // The active key's binding, when there is one, is the newer fact (a join or link made after the rotation).
            await current.GetOrBind(bound);
            await identity.Unbind(bound);
            moved++;
        }
        return moved;
    }

    /// <summary>
    /// The first older key's binding, moved under the active key: bound there first (so a concurrent lookup finds it
    /// either here or there), then removed from the old one. Null when no older key knows the address.
    /// </summary>
    private static async Task<string?> MoveFromOlderAsync(IGrainFactory grains, IReadOnlyList<string> ids)
    {
        for (var i = 1; i < ids.Count; i++)
        {
            var identity = grains.GetGrain<IIdentityGrain>(ids[i]);
            if (await identity.GetCustomerId() is not { } bound) continue;
            var customer = await grains.GetGrain<IIdentityGrain>(ids[0]).GetOrBind(bound);
            await identity.Unbind(bound);
            return customer;
        }
        return null;
    }

    private byte[][] KeysOf(string tenant)
    {
        if (_keys.TryGetValue(tenant, out var cached)) return cached;
        var derived = keys.AddressKeys(tenant);
        if (_keys.Count < TenantsCached) _keys.TryAdd(tenant, derived);
        return derived;
    }

    private static string IdentityKey(byte[] key, string tenant, ChannelAddress normalized)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(normalized.Kind.ToWire() + "\0" + normalized.Value));
        return GrainKeys.Identity(tenant, normalized.Kind, Convert.ToHexStringLower(mac.AsSpan(0, 16)));
    }
}

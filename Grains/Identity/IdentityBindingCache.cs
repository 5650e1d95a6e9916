using System.Collections.Concurrent;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Grains.Identity;

/// <summary>
/// Which customer an address (by its identity key, the pseudonym) was last seen to belong to, per silo, in memory. The
/// ingress worker uses it to send a known sender's turn straight to the customer grain, skipping the identity grain.
/// It is a hint, never the truth: the customer grain accepts a turn routed by the hint only if it still owns the
/// address (<see cref="ICustomerGrain.HandleTurnFrom"/> with <c>cached: true</c>), so an entry made stale by a link to
/// another customer, an erasure or a change made through another silo costs one refused call and a lookup through the
/// identity grain. An entry keeps the grain reference too: building one (<c>GetGrain</c>) formats the interface's type
/// name on every call in Orleans 10.4, which the profile showed.
/// </summary>
public sealed class IdentityBindingCache
{
    /// <summary>Entries kept per silo (a few hundred bytes each); when full the cache starts over, which only costs lookups.</summary>
    public const int Capacity = 200_000;

    public sealed record Binding(string CustomerId, ICustomerGrain Customer);

    private readonly ConcurrentDictionary<string, Binding> _bindings = new(StringComparer.Ordinal);

    public int Count => _bindings.Count;

    public bool TryGet(string identityKey, out Binding binding) => _bindings.TryGetValue(identityKey, out binding!);

    /// <summary>The customer cached for the identity key, or null.</summary>
    public string? CustomerOf(string identityKey) => _bindings.TryGetValue(identityKey, out var binding) ? binding.CustomerId : null;

    public void Remember(string identityKey, string customerId, ICustomerGrain customer)
    {
        if (_bindings.Count >= Capacity) _bindings.Clear();
        _bindings[identityKey] = new Binding(customerId, customer);
    }

    /// <summary>Drops the entry if it is still <paramref name="binding"/> (a concurrent turn may have put a fresher one).</summary>
    public void Forget(string identityKey, Binding binding) =>
        _bindings.TryRemove(new KeyValuePair<string, Binding>(identityKey, binding));

    public void Forget(string identityKey) => _bindings.TryRemove(identityKey, out _);
}

using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Switchboard.Grains.Interfaces;
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
    /// <summary>Entries kept per silo (about a hundred bytes each); when full the cache starts over, which only costs lookups.</summary>
    public const int Capacity = 200_000;

    /// <summary>A cached route: the customer grain's reference (its id names the customer).</summary>
    public readonly record struct Binding(ICustomerGrain Customer)
    {
        public string CustomerId => GrainKeys.ParseCustomer(Customer.GetPrimaryKeyString()).CustomerId;
    }

    // Keyed by a 128-bit hash of the identity key, not the key: the customer grain holds the key already (it checks
    // every cached route against it), so the cache keeps no second copy of it, nor of the customer id (about 200 bytes
    // per customer; docs/performance.md, mem11). Two keys with one hash would only make a route the customer refuses.
    private readonly ConcurrentDictionary<UInt128, ICustomerGrain> _bindings = new();

    // Entries added since the last clear, less those forgotten: ConcurrentDictionary.Count takes every bucket lock, which
    // on each first turn of a customer showed as lock contention in the webhook profile (docs/performance.md).
    private int _entries;

    public int Count => _bindings.Count;

    private static UInt128 KeyOf(string identityKey) =>
        XxHash128.HashToUInt128(MemoryMarshal.AsBytes(identityKey.AsSpan()));

    public bool TryGet(string identityKey, out Binding binding)
    {
        var found = _bindings.TryGetValue(KeyOf(identityKey), out var customer);
        binding = new Binding(customer!);
        return found;
    }

    /// <summary>The customer cached for the identity key, or null.</summary>
    public string? CustomerOf(string identityKey) => TryGet(identityKey, out var binding) ? binding.CustomerId : null;

    /// <param name="customerId">The customer's id; <paramref name="customer"/>'s key names it already, so it is not kept.</param>
    public void Remember(string identityKey, string customerId, ICustomerGrain customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (Volatile.Read(ref _entries) >= Capacity)
        {
            _bindings.Clear();
            Volatile.Write(ref _entries, 0);
        }
        var key = KeyOf(identityKey);
        if (_bindings.TryAdd(key, customer)) Interlocked.Increment(ref _entries);
        else _bindings[key] = customer;
    }

    /// <summary>Drops the entry if it is still <paramref name="binding"/> (a concurrent turn may have put a fresher one).</summary>
    public void Forget(string identityKey, Binding binding)
    {
        if (_bindings.TryRemove(new KeyValuePair<UInt128, ICustomerGrain>(KeyOf(identityKey), binding.Customer))) Interlocked.Decrement(ref _entries);
    }

    public void Forget(string identityKey)
    {
        if (_bindings.TryRemove(KeyOf(identityKey), out _)) Interlocked.Decrement(ref _entries);
    }
}

using System.Collections.Concurrent;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Why we are calling a customer, kept from the moment a proactive call is placed until it is answered: the call's
/// first prompt says it before the engine's greeting. One reason per customer; taken once.
/// </summary>
public sealed class ProactiveCallReasons
{
    private readonly ConcurrentDictionary<(string Tenant, string CustomerId), string> _reasons = new();

    public void Set(string tenant, string customerId, string reason) => _reasons[(tenant, customerId)] = reason;

    public string? Take(string tenant, string customerId) => _reasons.TryRemove((tenant, customerId), out var r) ? r : null;

    public void Forget(string tenant, string customerId) => _reasons.TryRemove((tenant, customerId), out _);
}

namespace Switchboard.Grains.Interfaces.Identity;

/// <summary>
/// One activation per (tenant, normalised address): which customer this address belongs to.
/// Key: <see cref="GrainKeys.Identity"/> (tenant, kind, keyed pseudonym of the address).
/// </summary>
[Alias("identity-grain")]
public interface IIdentityGrain : IGrainWithStringKey
{
    [Alias("get-customer")]
    Task<string?> GetCustomerId();

    /// <summary>Returns the customer already bound to this address, or binds <paramref name="candidateCustomerId"/> and returns it.</summary>
    [Alias("get-or-bind")]
    Task<string> GetOrBind(string candidateCustomerId);

    /// <summary>Binds the address to a customer, replacing any earlier binding (a session-token join, an agent linking a CRM id).</summary>
    [Alias("bind")]
    Task Bind(string customerId);

    /// <summary>Removes the binding if it still points at <paramref name="customerId"/>.</summary>
    [Alias("unbind")]
    Task Unbind(string customerId);
}

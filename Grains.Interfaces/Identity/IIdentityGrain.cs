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

    /// <summary>
    /// Binds the address to a customer, replacing any earlier binding. It does not release the earlier customer's claim:
    /// channels link addresses through <see cref="Conversation.IConversationIngressGrain.LinkAddress"/>, which does.
    /// </summary>
    [Alias("bind")]
    Task Bind(string customerId);

    /// <summary>
    /// Binds the address to <paramref name="customerId"/> only if it is still bound to <paramref name="expected"/> (null:
    /// unbound); returns the binding after the call. The ingress releases the old customer's claim on the address first
    /// (<see cref="Customers.ICustomerGrain.ReleaseAddress"/>), so a silo's cached route to it stops working.
    /// </summary>
    [Alias("bind-if")]
    Task<string?> BindIf(string? expected, string customerId);

    /// <summary>Removes the binding if it still points at <paramref name="customerId"/>.</summary>
    [Alias("unbind")]
    Task Unbind(string customerId);
}

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>Raised for calls about a customer that does not exist (never created, or erased). Maps to 404.</summary>
[GenerateSerializer, Alias("unknown-customer")]
public sealed class UnknownCustomerException : Exception
{
    public UnknownCustomerException(string tenant, string customerId) : base($"No customer '{customerId}' at tenant '{tenant}'.") { }

    public UnknownCustomerException() { }

    public UnknownCustomerException(string message) : base(message) { }

    public UnknownCustomerException(string message, Exception inner) : base(message, inner) { }
}

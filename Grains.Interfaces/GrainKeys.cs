using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Interfaces;

/// <summary>Grain keys carry the tenant, so one phone number is two customers at two brands.</summary>
public static class GrainKeys
{
    public static string Customer(string tenant, string customerId) => $"{tenant}/{customerId}";

    /// <summary>An identity grain's key names a keyed pseudonym of the address, never the number itself, so no store holds a phone number as a key.</summary>
    public static string Identity(string tenant, AddressKind kind, string pseudonym) => $"{tenant}/{kind.ToWire()}/{pseudonym}";

    public static (string Tenant, string CustomerId) ParseCustomer(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
            throw new ArgumentException($"'{key}' is not a customer grain key (tenant/customerId).", nameof(key));
        return (key[..slash], key[(slash + 1)..]);
    }
}

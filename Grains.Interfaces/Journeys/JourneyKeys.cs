namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>Keys of the journey grains: a journey per tenant, an enrolment per (tenant, journey, customer), a contact ledger per customer.</summary>
public static class JourneyKeys
{
    public static string Journey(string tenant, string journey) => $"{tenant}/{journey}";

    public static string Enrolment(string tenant, string journey, string customerId) => $"{tenant}/{journey}/{customerId}";

    public static string Ledger(string tenant, string customerId) => $"{tenant}/{customerId}";

    public static (string Tenant, string Journey, string CustomerId) ParseEnrolment(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3) throw new ArgumentException($"'{key}' is not an enrolment key (tenant/journey/customer).", nameof(key));
        return (parts[0], parts[1], parts[2]);
    }
}

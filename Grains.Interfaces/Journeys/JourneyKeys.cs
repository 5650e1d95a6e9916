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

    /// <summary>The journey a send's idempotency key (<c>journey:&lt;journey&gt;:&lt;run&gt;:&lt;customer&gt;:&lt;step&gt;</c>) belongs to; false for any other key.</summary>
    public static bool TryParseSendKey(string? idempotencyKey, out string journey)
    {
        journey = "";
        if (idempotencyKey is null || !idempotencyKey.StartsWith("journey:", StringComparison.Ordinal)) return false;
        var end = idempotencyKey.IndexOf(':', 8);
        if (end <= 8) return false;
        journey = idempotencyKey[8..end];
        return true;
    }
}

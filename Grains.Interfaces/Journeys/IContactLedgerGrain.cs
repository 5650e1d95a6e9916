namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// The touches one customer received from every journey (key <see cref="JourneyKeys.Ledger"/>), so frequency caps hold
/// across channels and journeys: a send reserves its touch here, atomically against the tenant's caps.
/// </summary>
[Alias("contact-ledger")]
public interface IContactLedgerGrain : IGrainWithStringKey
{
    /// <summary>Records the touch when every cap has room (null), else answers when there will be room. Idempotent per key.</summary>
    [Alias("reserve")]
    Task<DateTimeOffset?> Reserve(ContactTouch touch);

    [Alias("touches")]
    Task<IReadOnlyList<ContactTouch>> Touches();
}

[GenerateSerializer, Immutable, Alias("contact-touch")]
public sealed record ContactTouch(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Channel,
    [property: Id(2)] string Purpose,
    [property: Id(3)] string Journey,
    [property: Id(4)] string Key);

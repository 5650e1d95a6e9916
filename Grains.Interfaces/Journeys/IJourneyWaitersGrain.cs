using Orleans.Concurrency;

namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// The enrolments of one customer (key <see cref="JourneyKeys.Ledger"/>) waiting for something the customer does (a
/// reply, an intent): the customer grain says after each inbound turn that the customer acted, and every waiting
/// enrolment is woken at once instead of at its next poll. Kept in memory only: a lost registration costs the poll
/// interval (<c>Journeys:EventPollInterval</c>), and each poll registers again.
/// </summary>
[Alias("journey-waiters")]
public interface IJourneyWaitersGrain : IGrainWithStringKey
{
    [Alias("listen")]
    Task Listen(string enrolmentKey);

    [Alias("forget"), OneWay]
    Task Forget(string enrolmentKey);

    /// <summary>The customer wrote, keyed or said something: wake whoever waits.</summary>
    [Alias("customer-acted"), OneWay]
    Task CustomerActed();
}

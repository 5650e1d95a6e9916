using Orleans.Concurrency;

namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// The enrolments of one customer (key <see cref="JourneyKeys.Ledger"/>) waiting for something the customer does (a
/// reply, an intent): the customer grain says after each inbound turn that the customer acted, and every waiting
/// enrolment is woken at once. Durable: the set is stored (a journal stream), and so is the customer's flag that makes
/// its turns report here, so a reply after a deactivation or a restart still wakes the waiters at once.
/// </summary>
[Alias("journey-waiters")]
public interface IJourneyWaitersGrain : IGrainWithStringKey
{
    /// <summary>Answered once the waiter and the customer's flag are durable.</summary>
    [Alias("listen")]
    Task Listen(string enrolmentKey);

    [Alias("forget"), OneWay]
    Task Forget(string enrolmentKey);

    /// <summary>The customer wrote, keyed or said something: wake whoever waits (or, nobody left, clear the customer's flag).</summary>
    [Alias("customer-acted"), OneWay]
    Task CustomerActed();
}

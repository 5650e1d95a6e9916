using Orleans.Concurrency;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Journeys;

namespace Switchboard.Grains.Journeys;

/// <summary>Who waits on one customer's next move (in memory; see <see cref="IJourneyWaitersGrain"/>).</summary>
[Reentrant]
public sealed class JourneyWaitersGrain : Grain, IJourneyWaitersGrain
{
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);

    public Task Listen(string enrolmentKey)
    {
        _waiting.Add(enrolmentKey);
        Arm();
        return Task.CompletedTask;
    }

    public Task Forget(string enrolmentKey)
    {
        _waiting.Remove(enrolmentKey);
        if (_waiting.Count == 0) DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task CustomerActed()
    {
        if (_waiting.Count == 0) DeactivateOnIdle();
        foreach (var key in _waiting) GrainFactory.GetGrain<IJourneyEnrolmentGrain>(key).Wake().Ignore();
        // The customer says it once per arming: those still listening (until they forget) want the next move too.
        if (_waiting.Count > 0) Arm();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Tells the customer grain (same key) that someone waits, so its turns report here; a customer nobody waits on
    /// makes no call at all. The flag lives in the customer's activation: if that ends, the next poll listens again.
    /// </summary>
    private void Arm() => GrainFactory.GetGrain<ICustomerGrain>(this.GetPrimaryKeyString()).JourneysWaiting().Ignore();
}

using Orleans.Concurrency;
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
        return Task.CompletedTask;
    }
}

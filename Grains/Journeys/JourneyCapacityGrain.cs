using Orleans.Concurrency;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// Works out a tenant's <see cref="JourneyCapacityPlan"/>: the tenant's capacity rules, and the journeys' part of the
/// messages per minute split between the running journeys (shipped and defined through the API) by their weight with
/// <see cref="CapacityShare"/>. Stateless: the run definitions come through the per-silo <see cref="JourneyRunCache"/>.
/// </summary>
[StatelessWorker(1)]
public sealed class JourneyCapacityGrain(JourneyDirectory directory, JourneyRunCache runs) : Grain, IJourneyCapacityGrain
{
    public async Task<JourneyCapacityPlan> Plan()
    {
        var tenant = this.GetPrimaryKeyString();
        var rules = directory.RulesOf(tenant);
        var ids = directory.ShippedJourneys(tenant).Union(await GrainFactory.GetGrain<IJourneyIndexGrain>(tenant).List()).ToList();
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var run = await runs.GetAsync(GrainFactory, tenant, id);
            if (run is not { Status: JourneyRunStatus.Running }) continue;
            weights[id] = directory.Parse(run.Yaml, $"{id}.yaml").Weight;
        }
        var journeys = Math.Max(1, (int)Math.Floor(rules.MessagesPerMinute * rules.JourneyShare));
        return new JourneyCapacityPlan(rules.MessagesPerMinute, rules.JourneyShare, rules.CallsPerSecond, rules.ConcurrentCalls,
            CapacityShare.Allocate(journeys, weights));
    }
}

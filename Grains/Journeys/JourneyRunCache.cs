using System.Collections.Concurrent;
using Switchboard.Grains.Interfaces.Journeys;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// The run definition (YAML, status, run id) each enrolment needs at every step boundary, kept per silo for at most
/// <see cref="Freshness"/>: a due burst of thousands of enrolments asks the journey grain once a second instead of once
/// per step. A pause or stop reaches every enrolment within that second (at once on the silo that made the change,
/// which drops its copy).
/// </summary>
public sealed class JourneyRunCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (JourneyRunDefinition? Run, long At)> _runs = new(StringComparer.Ordinal);

    public async ValueTask<JourneyRunDefinition?> GetAsync(IGrainFactory grains, string tenant, string journey)
    {
        var key = JourneyKeys.Journey(tenant, journey);
        if (_runs.TryGetValue(key, out var cached) && time.GetElapsedTime(cached.At) < Freshness) return cached.Run;
        var run = await grains.GetGrain<IJourneyGrain>(key).Definition();
        _runs[key] = (run, time.GetTimestamp());
        return run;
    }

    public void Forget(string key) => _runs.TryRemove(key, out _);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces.Journeys;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// Per-step counts are statistics: each silo adds them up in memory and hands them to the journey grains once a second
/// (one call per journey), instead of one message per step to one grain. Counts of the last second die with a crash.
/// </summary>
public sealed class JourneyStepCounter(IGrainFactory grains, ILogger<JourneyStepCounter> logger) : BackgroundService
{
    private ConcurrentDictionary<(string Journey, string Step, string Outcome), long> _counts = new();

    public void Add(string journeyKey, string stepId, string outcome) =>
        _counts.AddOrUpdate((journeyKey, stepId, outcome), 1, static (_, n) => n + 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync();
        }
        catch (OperationCanceledException) { }
        await FlushAsync();
    }

    private async Task FlushAsync()
    {
        if (_counts.IsEmpty) return;
        var counts = Interlocked.Exchange(ref _counts, new());
        foreach (var journey in counts.GroupBy(c => c.Key.Journey))
        {
            var batch = journey.Select(c => new StepCount(c.Key.Step, c.Key.Outcome, c.Value)).ToList();
            try { await grains.GetGrain<IJourneyGrain>(journey.Key).CountSteps(batch); }
            catch (Exception e) { logger.LogWarning(e, "Step counts of journey {Journey} were not recorded", journey.Key); }
        }
    }
}

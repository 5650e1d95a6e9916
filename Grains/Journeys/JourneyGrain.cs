using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Loading;

namespace Switchboard.Grains.Journeys;

/// <summary>A tenant's journey: definition, run status and per-step counts (counts are written at most every few seconds: they are statistics, not promises).</summary>
public sealed class JourneyGrain(
    [PersistentState("journey", StorageNames.Main)] IPersistentState<JourneyGrainState> state,
    JourneyDirectory directory, JourneyRunCache runs) : Grain, IJourneyGrain
{
    private string _tenant = "", _journey = "";
    private bool _countsDirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/');
        (_tenant, _journey) = (key[..slash], key[(slash + 1)..]);
        this.RegisterGrainTimer(FlushCounts, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { Interleave = false, KeepAlive = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushCounts(cancellationToken);

    public async Task<JourneyDefineResult> Define(string yaml)
    {
        try
        {
            var parsed = JourneyLoader.Parse(new StringReader(yaml), $"{_journey}.yaml");
            if (parsed.Id != _journey) return new(false, [$"{_journey}.yaml:1: the file defines journey '{parsed.Id}', not '{_journey}'"], null);
        }
        catch (JourneyLoadException e)
        {
            return new(false, e.Errors.Select(x => x.ToString()).ToList(), null);
        }
        state.State.Yaml = yaml;
        state.State.Run = NewRun();
        state.State.Status = JourneyRunStatus.Running;
        await state.WriteStateAsync();
        runs.Forget(this.GetPrimaryKeyString());
        return new(true, [], await Get());
    }

    public Task<JourneyInfo> Get()
    {
        var yaml = Yaml();
        var definition = yaml is null ? null : directory.Parse(yaml, $"{_journey}.yaml");
        var counts = state.State.Counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, long>)c.Value);
        return Task.FromResult(new JourneyInfo(_tenant, _journey, yaml is not null, definition?.Name, state.State.Status, RunId(),
            state.State.Yaml is null ? "shipped" : "api", definition?.Steps.Select(s => s.Id).ToList() ?? [], counts));
    }

    public async Task<JourneyInfo> SetStatus(JourneyRunStatus status)
    {
        if (status == JourneyRunStatus.Running && state.State.Status == JourneyRunStatus.Stopped) state.State.Run = NewRun();
        if (state.State.Run.Length == 0) state.State.Run = NewRun();
        state.State.Status = status;
        await state.WriteStateAsync();
        runs.Forget(this.GetPrimaryKeyString());
        return await Get();
    }

    public Task<JourneyRunDefinition?> Definition() =>
        Task.FromResult(Yaml() is { } yaml ? new JourneyRunDefinition(yaml, state.State.Status, RunId()) : null);

    public Task CountStep(string stepId, string outcome)
    {
        if (!state.State.Counts.TryGetValue(stepId, out var byOutcome)) state.State.Counts[stepId] = byOutcome = [];
        byOutcome[outcome] = byOutcome.GetValueOrDefault(outcome) + 1;
        _countsDirty = true;
        return Task.CompletedTask;
    }

    public Task CountSteps(IReadOnlyList<StepCount> counts)
    {
        foreach (var c in counts)
        {
            if (!state.State.Counts.TryGetValue(c.StepId, out var byOutcome)) state.State.Counts[c.StepId] = byOutcome = [];
            byOutcome[c.Outcome] = byOutcome.GetValueOrDefault(c.Outcome) + c.Count;
        }
        _countsDirty = counts.Count > 0 || _countsDirty;
        return Task.CompletedTask;
    }

    private string? Yaml() => state.State.Yaml ?? directory.ShippedYaml(_tenant, _journey);

    // A shipped journey never started through the API runs as run "1".
    private string RunId() => state.State.Run.Length > 0 ? state.State.Run : "1";

    private static string NewRun() => Guid.NewGuid().ToString("n")[..12];

    private async Task FlushCounts(CancellationToken ct)
    {
        if (!_countsDirty) return;
        _countsDirty = false;
        await state.WriteStateAsync(ct);
    }
}

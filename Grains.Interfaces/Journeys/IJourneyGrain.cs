using Orleans.Concurrency;

namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// One journey of a tenant (key <see cref="JourneyKeys.Journey"/>): its definition (shipped YAML, or one defined through
/// the admin API), its run status (running, paused, stopped) and run id (enrolment is idempotent per run), and its
/// per-step counts. Enrolments ask it at each step boundary, so a pause or stop holds the very next step.
/// </summary>
[Alias("journey")]
public interface IJourneyGrain : IGrainWithStringKey
{
    /// <summary>Stores a definition after validating it; errors (file:line: reason) come back and change nothing.</summary>
    [Alias("define")]
    Task<JourneyDefineResult> Define(string yaml);

    [Alias("get")]
    Task<JourneyInfo> Get();

    /// <summary>running, paused or stopped; a journey started again after a stop gets a new run id.</summary>
    [Alias("set-status")]
    Task<JourneyInfo> SetStatus(JourneyRunStatus status);

    /// <summary>The YAML the enrolments run (null when the journey is unknown) and the run status.</summary>
    [Alias("definition")]
    Task<JourneyRunDefinition?> Definition();

    [Alias("count-step"), OneWay]
    Task CountStep(string stepId, string outcome);

    /// <summary>Counts added up on a silo for a second (see JourneyStepCounter).</summary>
    [Alias("count-steps")]
    Task CountSteps(IReadOnlyList<StepCount> counts);
}

[GenerateSerializer, Immutable, Alias("step-count")]
public sealed record StepCount(
    [property: Id(0)] string StepId,
    [property: Id(1)] string Outcome,
    [property: Id(2)] long Count);

[GenerateSerializer, Alias("journey-run-status")]
public enum JourneyRunStatus
{
    Running = 0,
    Paused = 1,
    Stopped = 2,
}

[GenerateSerializer, Immutable, Alias("journey-info")]
public sealed record JourneyInfo(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Journey,
    [property: Id(2)] bool Defined,
    [property: Id(3)] string? Name,
    [property: Id(4)] JourneyRunStatus Status,
    [property: Id(5)] string Run,
    [property: Id(6)] string Source,
    [property: Id(7)] IReadOnlyList<string> Steps,
    [property: Id(8)] IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> StepCounts);

[GenerateSerializer, Immutable, Alias("journey-define-result")]
public sealed record JourneyDefineResult(
    [property: Id(0)] bool Ok,
    [property: Id(1)] IReadOnlyList<string> Errors,
    [property: Id(2)] JourneyInfo? Journey);

[GenerateSerializer, Immutable, Alias("journey-run-definition")]
public sealed record JourneyRunDefinition(
    [property: Id(0)] string Yaml,
    [property: Id(1)] JourneyRunStatus Status,
    [property: Id(2)] string Run);

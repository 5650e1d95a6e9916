namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// One customer in one journey (key <see cref="JourneyKeys.Enrolment"/>): runs the journey's steps with the pure step
/// engine, pulling the customer's consent, context and replies at every step boundary, sending through the outbox with
/// an idempotency key per enrolment and step, and sleeping on a grain timer (short waits) or a reminder (long ones).
/// Keeps the customer id and the derived time zones only, never an address.
/// </summary>
[Alias("journey-enrolment")]
public interface IJourneyEnrolmentGrain : IGrainWithStringKey
{
    /// <summary>Enrols once per journey run: a second call with the same run changes nothing and says so.</summary>
    [Alias("enrol")]
    Task<EnrolOutcome> Enrol(EnrolmentRequest request);

    /// <summary>Runs whatever is due now (a reply arrived, a wait elapsed, the journey resumed).</summary>
    [Alias("wake")]
    Task Wake();

    /// <summary>The timeline as JSON: steps, channel, decision trace (rule, verdict, reason, fallback), delivery status, replies.</summary>
    [Alias("timeline")]
    Task<string?> TimelineJson();
}

[GenerateSerializer, Immutable, Alias("enrolment-request")]
public sealed record EnrolmentRequest(
    [property: Id(0)] string Run,
    [property: Id(1)] IReadOnlyDictionary<string, string> Attributes,
    [property: Id(2)] IReadOnlyList<string> TimeZones,
    [property: Id(3)] string? Region);

[GenerateSerializer, Alias("enrol-outcome")]
public enum EnrolOutcome
{
    Enrolled = 0,
    AlreadyEnrolled = 1,
    JourneyNotRunning = 2,
}

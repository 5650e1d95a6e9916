namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// A tenant's outbound capacity for journeys (key: the tenant), as the channels' dispatcher paces journey traffic by it:
/// the tenant's <c>capacity</c> rules and each running journey's share of the messages per minute (by weight).
/// </summary>
[Alias("journey-capacity")]
public interface IJourneyCapacityGrain : IGrainWithStringKey
{
    [Alias("plan")]
    Task<JourneyCapacityPlan> Plan();
}

/// <param name="MessagesPerMinute">A channel's capacity per minute (each channel has its own).</param>
/// <param name="JourneyShare">The part of it all journeys together may use; the rest is kept for replies.</param>
/// <param name="PerJourney">Running journey → its messages per minute on each channel (the journeys' part split by weight).</param>
[GenerateSerializer, Immutable, Alias("journey-capacity-plan")]
public sealed record JourneyCapacityPlan(
    [property: Id(0)] int MessagesPerMinute,
    [property: Id(1)] double JourneyShare,
    [property: Id(2)] int CallsPerSecond,
    [property: Id(3)] int ConcurrentCalls,
    [property: Id(4)] IReadOnlyDictionary<string, int> PerJourney);

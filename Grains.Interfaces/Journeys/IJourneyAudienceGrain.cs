namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// Admits one audience member into a journey run (stateless, any silo): resolves the address through identity,
/// derives the time zones and region from the number (profile zone first, tenant default last) and enrols the
/// customer. The address goes no further than this call: the enrolment keeps the customer id and the zones only.
/// </summary>
[Alias("journey-audience")]
public interface IJourneyAudienceGrain : IGrainWithIntegerKey
{
    [Alias("admit")]
    Task<AdmitResult> Admit(AudienceMember member);

    /// <summary>Admits a batch (one call for many rows of an upload); results in the members' order.</summary>
    [Alias("admit-many")]
    Task<IReadOnlyList<AdmitResult>> AdmitMany(IReadOnlyList<AudienceMember> members);

    /// <summary>
    /// Admits a batch of upload rows (<see cref="IJourneyAdmissionGrain"/>): durable and idempotent per journey run when
    /// it returns; each row becomes its enrolment shortly after, at the rate first steps run. Results in the members' order.
    /// </summary>
    [Alias("admit-rows")]
    Task<IReadOnlyList<AdmitResult>> AdmitRows(IReadOnlyList<AudienceMember> members);
}

/// <summary>One row: a phone number or a customer id, and the attributes the journey's messages and branches use.</summary>
[GenerateSerializer, Immutable, Alias("audience-member")]
public sealed record AudienceMember(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Journey,
    [property: Id(2)] string Run,
    [property: Id(3)] string? Phone,
    [property: Id(4)] string? CustomerId,
    [property: Id(5)] IReadOnlyDictionary<string, string> Attributes,
    [property: Id(6)] string? TimeZone = null);

[GenerateSerializer, Immutable, Alias("admit-result")]
public sealed record AdmitResult(
    [property: Id(0)] EnrolOutcome? Outcome,
    [property: Id(1)] string? CustomerId,
    [property: Id(2)] string? Error = null);

/// <summary>The journeys a tenant defined through the admin API (shipped ones come from the bot folder), for the listing.</summary>
[Alias("journey-index")]
public interface IJourneyIndexGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task Add(string journey);

    [Alias("list")]
    Task<IReadOnlyList<string>> List();
}

using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Switchboard.Grains.Interfaces.Journeys;

/// <summary>
/// One shard of a journey's audience (key <see cref="JourneyAdmission.Key"/>): admits a batch of rows with one durable
/// write (each row once per journey run), then turns them into their enrolment grains in the background, at the rate the
/// engine runs first steps. An upload thus costs one grain call and one journal record per shard and batch, not the
/// identity, customer and enrolment calls of every row. Keeps the rows' pseudonymous keys and sealed numbers only.
/// </summary>
[Alias("journey-admission")]
public interface IJourneyAdmissionGrain : IGrainWithStringKey
{
    /// <summary>Admits the rows into <paramref name="run"/>; outcomes in the rows' order (durable when the call returns).</summary>
    [Alias("admit")]
    Task<IReadOnlyList<EnrolOutcome>> Admit(string run, IReadOnlyList<AdmissionRow> rows);

    /// <summary>Rows admitted and not yet enrolled.</summary>
    [Alias("pending")]
    Task<int> Pending();
}

/// <summary>
/// An audience row ready to admit: <see cref="Key"/> names the customer for idempotence (their customer id, or the
/// pseudonym of their number), <see cref="Phone"/> is the normalised number (sealed before it is stored; null for a row
/// by customer id), the zones and region were derived from the number and the profile.
/// </summary>
[GenerateSerializer, Immutable, Alias("admission-row")]
public sealed record AdmissionRow(
    [property: Id(0)] string Key,
    [property: Id(1)] string? CustomerId,
    [property: Id(2)] string? Phone,
    [property: Id(3)] IReadOnlyDictionary<string, string> Attributes,
    [property: Id(4)] IReadOnlyList<string> TimeZones,
    [property: Id(5)] string? Region);

/// <summary>Where an audience row is admitted: a stable hash of its key picks one of <see cref="Shards"/> shards per journey.</summary>
public static class JourneyAdmission
{
    /// <summary>Enough shards for a million-row upload to spread its writes and first steps; few enough to poll.</summary>
    public const int Shards = 16;

    public static string Key(string tenant, string journey, int shard) => $"{tenant}/{journey}/{shard}";

    public static int ShardOf(string rowKey) =>
        (int)(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(rowKey.AsSpan())) % Shards);

    public static (string Tenant, string Journey, int Shard) Parse(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var shard)) throw new ArgumentException($"'{key}' is not an admission key (tenant/journey/shard).", nameof(key));
        return (parts[0], parts[1], shard);
    }
}

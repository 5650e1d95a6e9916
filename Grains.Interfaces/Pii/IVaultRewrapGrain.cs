using Orleans.Concurrency;

namespace Switchboard.Grains.Interfaces.Pii;

/// <summary>
/// Re-seals every customer's vault under the active master key after a rotation, and moves the customer's address
/// bindings from older keys' pseudonyms to the active key's: one job for the whole deployment
/// (key 0). It walks the journal's list of customer streams a page at a time and keeps its cursor in its own stream,
/// so it resumes where it stopped after a restart or the loss of its silo. Each customer's rewrap is idempotent, so a
/// page done twice changes nothing.
/// </summary>
[Alias("vault-rewrap")]
public interface IVaultRewrapGrain : IGrainWithIntegerKey
{
    /// <summary>Starts a pass over every customer, or resumes the one under way; answers its progress.</summary>
    /// <param name="actor">Who asked (an admin key's name), kept with the pass.</param>
    [Alias("start")]
    Task<VaultRewrapProgress> Start(string actor);

    [Alias("progress"), AlwaysInterleave]
    Task<VaultRewrapProgress> Progress();
}

/// <summary>Where a rewrap pass is. Counts only, and customer ids (random, not PII) of the customers that failed.</summary>
/// <param name="Status"><c>idle</c> (never run), <c>running</c> or <c>done</c>.</param>
/// <param name="TargetKey">The master key id values are being sealed under; <c>legacy</c> for the unnamed <c>Pii:MasterKey</c>.</param>
/// <param name="FailedCustomers">The first customers that failed (grain keys), at most 100; a later pass retries them.</param>
/// <param name="Resumptions">Times the pass was picked up again after its activation was lost (a restart, a silo that died).</param>
/// <param name="AddressesRekeyed">Address bindings moved from an older master key's pseudonym to the active key's in this pass.</param>
/// <param name="AddressesResealed">Customers' stored addresses sealed anew in this pass: under the active key and pseudonym, or for the first time (held in clear by an older engine).</param>
[GenerateSerializer, Immutable, Alias("vault-rewrap-progress")]
public sealed record VaultRewrapProgress(
    [property: Id(0)] string Status,
    [property: Id(1)] string TargetKey,
    [property: Id(2)] int Pass,
    [property: Id(3)] long CustomersVisited,
    [property: Id(4)] long ValuesRewrapped,
    [property: Id(5)] long CustomersFailed,
    [property: Id(6)] IReadOnlyList<string> FailedCustomers,
    [property: Id(7)] string? StartedBy,
    [property: Id(8)] DateTimeOffset? StartedAt,
    [property: Id(9)] DateTimeOffset? FinishedAt,
    [property: Id(10)] int Resumptions,
    [property: Id(11)] long AddressesRekeyed,
    [property: Id(12)] long AddressesResealed);

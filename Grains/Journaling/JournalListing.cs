namespace Switchboard.Grains.Journaling;

/// <summary>
/// Which streams a journal store can list (<see cref="IJournalStore.ListStreamsAsync"/>): only streams named by random
/// ids, so keeping their names costs no privacy. A customer stream is <c>customer/{tenant}/{customer id}</c>; identity
/// streams (named by address pseudonyms), outbox shards and the rest are never listed, and their names stay hashed.
/// </summary>
public static class JournalListing
{
    public const string CustomerPrefix = "customer/";

    public static IReadOnlyList<string> ListedPrefixes { get; } = [CustomerPrefix];

    /// <summary>Whether the store keeps this stream's name so it can be listed.</summary>
    public static bool IsListed(string stream) => stream.StartsWith(CustomerPrefix, StringComparison.Ordinal);

    /// <summary>Refuses a listing prefix outside the listed streams: a store could only ever answer it with nothing.</summary>
    public static void CheckPrefix(string prefix)
    {
        if (!ListedPrefixes.Any(p => prefix.StartsWith(p, StringComparison.Ordinal)))
            throw new ArgumentException($"Only streams under {string.Join(", ", ListedPrefixes)} are listed, not '{prefix}'.", nameof(prefix));
    }

    public static void CheckLimit(int limit)
    {
        if (limit is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "A page holds 1 to 10,000 streams.");
    }
}

/// <summary>
/// One page of stream names. <see cref="Cursor"/> resumes the listing after this page (store it to resume after a
/// restart); null when the listing is complete. A name may appear on more than one page (Redis's SCAN may return a key
/// twice), so whatever walks a listing must be idempotent per stream.
/// </summary>
public sealed record JournalStreamPage(IReadOnlyList<string> Streams, string? Cursor);

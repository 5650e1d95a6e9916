namespace Switchboard.Grains.Journaling;

/// <summary>
/// Durable append-only logs, one stream per grain, each starting at its latest snapshot. A grain appends what a call
/// changed instead of rewriting its whole state; every few records it appends a snapshot that supersedes the records
/// before it, so a stream stays short however long the history is. Appends complete only once durable.
/// </summary>
public interface IJournalStore
{
    /// <summary>The stream's latest snapshot and the records after it, in order; <see cref="JournalContents.Version"/> is the last sequence number written.</summary>
    Task<JournalContents> ReadAsync(string stream);

    /// <summary>
    /// Appends one record as sequence number <paramref name="expectedVersion"/> + 1 and completes once it is durable.
    /// Fails with <see cref="JournalConflictException"/> when another writer appended in between (one writer per stream).
    /// The record is queued before this method returns, so a caller's appends keep their order without awaiting each.
    /// </summary>
    /// <param name="pending">
    /// The stream has work left after this record (a reply not yet handed to its channel): the stream is listed by
    /// <see cref="PendingStreamsAsync"/> until a later record says otherwise, so work is resumed after a restart.
    /// </param>
    Task AppendAsync(string stream, long expectedVersion, JournalRecordKind kind, ReadOnlyMemory<byte> payload, bool pending = false);

    /// <summary>The streams whose latest record was appended with <c>pending</c>.</summary>
    Task<IReadOnlyList<string>> PendingStreamsAsync();

    /// <summary>
    /// Lists the streams whose names start with <paramref name="prefix"/> (a prefix of <see cref="JournalListing.ListedPrefixes"/>),
    /// about <paramref name="limit"/> at a time: pass null to start and each page's <see cref="JournalStreamPage.Cursor"/>
    /// to go on (a cursor stays valid across restarts). Every stream that exists for the whole walk is returned at least
    /// once; a deleted stream is not returned after its delete completed.
    /// </summary>
    Task<JournalStreamPage> ListStreamsAsync(string prefix, string? cursor, int limit);

    /// <summary>
    /// Removes the stream (erasure): nothing of it is returned again, and its live records are overwritten where they lie
    /// (the embedded log scrubs them in place), so a key kept in a stream is gone from the disk when this completes.
    /// </summary>
    Task DeleteAsync(string stream);
}

public enum JournalRecordKind : byte
{
    Event = 1,
    /// <summary>The whole state: supersedes every earlier record of the stream.</summary>
    Snapshot = 2,
    /// <summary>Written by <see cref="IJournalStore.DeleteAsync"/>: supersedes every earlier record of the stream.</summary>
    Tombstone = 3,
    /// <summary>A record whose payload an erasure overwrote with zeros: kept only so the log still parses.</summary>
    Scrubbed = 4,
}

public sealed record JournalContents(ReadOnlyMemory<byte>? Snapshot, IReadOnlyList<ReadOnlyMemory<byte>> Events, long Version)
{
    public static JournalContents Empty { get; } = new(null, [], 0);
}

public sealed class JournalConflictException(string stream, long expected, long actual)
    : Exception($"Journal stream '{stream}' is at version {actual}, not {expected}: another writer appended to it.");

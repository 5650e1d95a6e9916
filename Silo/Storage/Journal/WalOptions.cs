namespace Switchboard.Silo.Storage.Journal;

/// <summary>Section <c>Storage:Journal</c>: the embedded write-ahead log's segment size and batching.</summary>
public sealed class WalOptions
{
    public const string Section = "Storage:Journal";

    /// <summary>A segment is sealed and a new one started past this size.</summary>
    public long SegmentBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The most bytes one group commit writes before its fsync.</summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Compaction starts once the log holds more than this many times its live bytes (plus two segments of slack):
    /// disk use stays within about that factor of what the streams need.
    /// </summary>
    public double MaxGarbageRatio { get; set; } = 2.0;

    /// <summary>False only for benchmarks that measure everything but the disk: appends are acknowledged before fsync.</summary>
    public bool Fsync { get; set; } = true;
}

using DuckDB.NET.Data;
using Switchboard.Analytics.Metrics;

namespace Switchboard.Analytics.Sketches;

/// <summary>
/// The query side of <see cref="SketchBook"/>: the union of a set's sketches over a range on whole hours, per dimension
/// (day sketches for the whole days inside the range, hour sketches for the hours at its ends), or per series bucket.
/// </summary>
public static class SketchReader
{
    public sealed record Union(DistinctSketch Sketch, DateTime? FirstAt);

    /// <summary>Every set's sketches over the range in one read: per set, per dimension, the merged sketch and the earliest first-seen time.</summary>
    public static Dictionary<string, Dictionary<string, Union>> Over(DuckDBConnection db, MetricRange range)
    {
        var (from, to) = (range.From.UtcDateTime, range.To.UtcDateTime);
        var dayFrom = from.TimeOfDay == TimeSpan.Zero ? from : from.Date.AddDays(1);
        var dayTo = to.Date;
        if (dayFrom >= dayTo) dayFrom = dayTo = to;
        var result = new Dictionary<string, Dictionary<string, Union>>();
        Read(db, null, range.Tenant,
            "((span = 'd' AND start >= $dayFrom AND start < $dayTo) OR (span = 'h' AND ((start >= $from AND start < $dayFrom) OR (start >= $dayTo AND start < $to))))",
            [new("from", from), new("to", to), new("dayFrom", dayFrom), new("dayTo", dayTo)],
            (set, dim, _, firstAt, registers) =>
            {
                if (!result.TryGetValue(set, out var dims)) result[set] = dims = [];
                if (!dims.TryGetValue(dim, out var union)) dims[dim] = union = new Union(new DistinctSketch(), null);
                union.Sketch.Merge(registers);
                if (firstAt is { } f && (union.FirstAt is null || f < union.FirstAt)) dims[dim] = union with { FirstAt = f };
            });
        return result;
    }

    /// <summary>Per series bucket (hour or day) of the range: the merged sketch of <paramref name="set"/> (dimension '').</summary>
    public static SortedDictionary<DateTime, DistinctSketch> ByBucket(DuckDBConnection db, MetricRange range, string set)
    {
        var (from, to) = (range.From.UtcDateTime, range.To.UtcDateTime);
        var result = new SortedDictionary<DateTime, DistinctSketch>();
        // By day: a day wholly inside the range has its day sketch; the range's partial first and last days merge their hours.
        var dayFrom = from.TimeOfDay == TimeSpan.Zero ? from : from.Date.AddDays(1);
        var dayTo = to.Date;
        if (range.Bucket == Bucket.Hour || dayFrom >= dayTo) dayFrom = dayTo = to;
        Read(db, set, range.Tenant,
            "dim = '' AND ((span = 'd' AND start >= $dayFrom AND start < $dayTo) OR (span = 'h' AND ((start >= $from AND start < $dayFrom) OR (start >= $dayTo AND start < $to))))",
            [new("from", from), new("to", to), new("dayFrom", dayFrom), new("dayTo", dayTo)],
            (_, _, start, _, registers) =>
            {
                var bucket = range.Bucket == Bucket.Hour ? start : start.Date;
                if (!result.TryGetValue(bucket, out var sketch)) result[bucket] = sketch = new DistinctSketch();
                sketch.Merge(registers);
            });
        return result;
    }

    /// <param name="set">One set, or null for all.</param>
    private static void Read(DuckDBConnection db, string? set, string tenant, string where, DuckDBParameter[] parameters,
        Action<string, string, DateTime, DateTime?, byte[]> row)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT set_name, dim, start, first_at, registers FROM {SketchBook.Table} WHERE tenant = $tenant AND {(set is null ? "" : "set_name = $set AND ")}{where}";
        cmd.Parameters.Add(new DuckDBParameter("tenant", tenant));
        if (set is not null) cmd.Parameters.Add(new DuckDBParameter("set", set));
        foreach (var p in parameters) cmd.Parameters.Add(p);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            row(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.IsDBNull(3) ? null : reader.GetDateTime(3), SketchBook.Bytes(reader, 4));
    }
}

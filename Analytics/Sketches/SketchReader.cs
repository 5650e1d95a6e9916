using DuckDB.NET.Data;
using Switchboard.Analytics.Metrics;

namespace Switchboard.Analytics.Sketches;

/// <summary>
/// The query side of <see cref="SketchBook"/>: the union of a set's sketches over a range on whole hours, per dimension
/// (month sketches for the whole calendar months inside the range, day sketches for the whole days around them, hour
/// sketches for the hours at its ends), or per series bucket. A year-long range merges ~14 sketches per set and
/// dimension instead of ~365; the union is the same register for register (a sketch's merge is a maximum).
/// </summary>
public static class SketchReader
{
    public sealed record Union(DistinctSketch Sketch, DateTime? FirstAt);

    /// <summary>
    /// Every set's sketches over the range: per set, per dimension, the merged sketch and the earliest first-seen time.
    /// <paramref name="months"/> false merges day sketches only (the tests and the benchmark's profile compare both).
    /// </summary>
    public static Dictionary<string, Dictionary<string, Union>> Over(DuckDBConnection db, MetricRange range, bool months = true)
    {
        var result = new Dictionary<string, Dictionary<string, Union>>();
        Read(db, null, range.Tenant, Windows(range.From.UtcDateTime, range.To.UtcDateTime, days: true, months),
            (set, dim, _, firstAt, registers) =>
            {
                if (!result.TryGetValue(set, out var dims)) result[set] = dims = [];
                if (!dims.TryGetValue(dim, out var union)) dims[dim] = union = new Union(new DistinctSketch(), null);
                union.Sketch.Merge(registers);
                if (firstAt is { } f && (union.FirstAt is null || f < union.FirstAt)) dims[dim] = union with { FirstAt = f };
            });
        return result;
    }

    /// <summary>How many stored sketches and bytes <see cref="Over"/> reads for the range (the benchmark's profile).</summary>
    public static (long Sketches, long Bytes) Size(DuckDBConnection db, MetricRange range, bool months = true)
    {
        long n = 0, bytes = 0;
        Read(db, null, range.Tenant, Windows(range.From.UtcDateTime, range.To.UtcDateTime, days: true, months),
            (_, _, _, _, registers) => { n++; bytes += registers.Length; });
        return (n, bytes);
    }

    /// <summary>
    /// The pieces of [from, to) as (span, first start, end): whole calendar months (when <paramref name="months"/>),
    /// whole days (when <paramref name="days"/>) around them, hours at the ends; empty pieces left out.
    /// </summary>
    public static List<(string Span, DateTime From, DateTime To)> Windows(DateTime from, DateTime to, bool days, bool months)
    {
        var dayFrom = from.TimeOfDay == TimeSpan.Zero ? from : from.Date.AddDays(1);
        var dayTo = to.Date;
        if (!days || dayFrom >= dayTo) dayFrom = dayTo = to;
        var monthFrom = dayFrom.Day == 1 && dayFrom.TimeOfDay == TimeSpan.Zero ? dayFrom : SketchBook.Month(dayFrom).AddMonths(1);
        var monthTo = SketchBook.Month(dayTo);
        if (!months || monthFrom >= monthTo) monthFrom = monthTo = dayTo;
        List<(string, DateTime, DateTime)> pieces =
        [
            (SketchBook.MonthSpan, monthFrom, monthTo),
            (SketchBook.DaySpan, dayFrom, monthFrom), (SketchBook.DaySpan, monthTo, dayTo),
            (SketchBook.HourSpan, from, dayFrom), (SketchBook.HourSpan, dayTo, to),
        ];
        return [.. pieces.Where(p => p.Item2 < p.Item3)];
    }

    /// <summary>Per series bucket (hour or day) of the range: the merged sketch of <paramref name="set"/> (dimension '').</summary>
    public static SortedDictionary<DateTime, DistinctSketch> ByBucket(DuckDBConnection db, MetricRange range, string set)
    {
        var result = new SortedDictionary<DateTime, DistinctSketch>();
        // By day: a day wholly inside the range has its day sketch; the range's partial first and last days merge their hours.
        Read(db, set, range.Tenant, Windows(range.From.UtcDateTime, range.To.UtcDateTime, days: range.Bucket == Bucket.Day, months: false),
            (_, _, start, _, registers) =>
            {
                var bucket = range.Bucket == Bucket.Hour ? start : start.Date;
                if (!result.TryGetValue(bucket, out var sketch)) result[bucket] = sketch = new DistinctSketch();
                sketch.Merge(registers);
            });
        return result;
    }

    /// <summary>
    /// One query per piece, each a plain conjunction with the times written as literals, so DuckDB can push span and
    /// start into the scan as table filters and skip the registers of rows outside the piece. With the pieces OR-ed
    /// together in one query, the read took ~40 ms on the 10 M-event file whatever the range (10 month sketches or
    /// 290 day sketches alike): the scan read every stored sketch's blob before filtering.
    /// </summary>
    /// <param name="set">One set, or null for all.</param>
    private static void Read(DuckDBConnection db, string? set, string tenant, List<(string Span, DateTime From, DateTime To)> pieces,
        Action<string, string, DateTime, DateTime?, byte[]> row)
    {
        foreach (var (span, from, to) in pieces)
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT set_name, dim, start, first_at, registers FROM {SketchBook.Table} WHERE tenant = $tenant AND span = '{span}' " +
                $"AND start >= {Literal(from)} AND start < {Literal(to)}{(set is null ? "" : " AND set_name = $set AND dim = ''")}";
            cmd.Parameters.Add(new DuckDBParameter("tenant", tenant));
            if (set is not null) cmd.Parameters.Add(new DuckDBParameter("set", set));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                row(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.IsDBNull(3) ? null : reader.GetDateTime(3), SketchBook.Bytes(reader, 4));
        }
    }

    private static string Literal(DateTime at) => $"TIMESTAMP '{at.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)}'";
}

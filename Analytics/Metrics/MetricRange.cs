namespace Switchboard.Analytics.Metrics;

public enum Bucket { Hour, Day }

/// <summary>What a metric is computed over: one tenant, events with <see cref="From"/> ≤ time &lt; <see cref="To"/> (UTC).</summary>
public sealed record MetricRange(string Tenant, DateTimeOffset From, DateTimeOffset To, Bucket Bucket = Bucket.Day)
{
    /// <summary>A dashboard asks for at most this much at a time (by hour: 31 days).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);
    public static readonly TimeSpan MaxHourlyRange = TimeSpan.FromDays(31);

    /// <summary>
    /// Parses the query's <c>from</c>/<c>to</c> (ISO dates or instants; <c>to</c> of a bare date is inclusive, the whole
    /// day) and <c>bucket</c>; null with the reason when they do not make a range.
    /// </summary>
    public static MetricRange? Parse(string tenant, string? from, string? to, string? bucket, DateTimeOffset now, out string? problem)
    {
        problem = null;
        // The default ends at the next whole hour (nothing stored is later than now): the summaries answer it.
        var end = to is null or "" ? CeilingHour(now) : ParseTime(to, endOfDay: true);
        var start = from is null or "" ? end - TimeSpan.FromDays(7) : ParseTime(from, endOfDay: false);
        Bucket b;
        if (bucket is null or "" or "day") b = Bucket.Day;
        else if (bucket == "hour") b = Bucket.Hour;
        else { problem = "bucket must be hour or day."; return null; }
        if (start is null) problem = "from is not a date (2026-11-30) or an instant (2026-11-30T10:00:00Z).";
        else if (end is null) problem = "to is not a date (2026-11-30) or an instant (2026-11-30T10:00:00Z).";
        else if (start >= end) problem = "from must be before to.";
        else if (end - start > MaxRange) problem = $"The range is longer than {MaxRange.TotalDays:0} days.";
        else if (b == Bucket.Hour && end - start > MaxHourlyRange) problem = $"By hour, the range is at most {MaxHourlyRange.TotalDays:0} days.";
        return problem is null ? new MetricRange(tenant, start!.Value, end!.Value, b) : null;
    }

    private static DateTimeOffset CeilingHour(DateTimeOffset now)
    {
        var ticks = now.UtcTicks + TimeSpan.TicksPerHour - 1;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
    }

    private static DateTimeOffset? ParseTime(string value, bool endOfDay)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", invariant, System.Globalization.DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + (endOfDay ? TimeSpan.FromDays(1) : TimeSpan.Zero);
        return DateTimeOffset.TryParse(value, invariant, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null;
    }
}

namespace Switchboard.Journeys.Rules;

/// <summary>A span of the local day, [From, To); wraps midnight when To ≤ From (quiet hours 21:00–09:00).</summary>
public sealed record DailyWindow(TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly t) => From < To ? t >= From && t < To : t >= From || t < To;

    /// <summary>The local time this window ends after <paramref name="local"/>, which it contains.</summary>
    public DateTime EndAfter(DateTime local)
    {
        var t = TimeOnly.FromDateTime(local);
        var day = local.Date;
        if (From >= To && t >= From) day = day.AddDays(1);
        return day + To.ToTimeSpan();
    }
}

/// <summary>Open hours of one channel: the days of the week it may be used and the local hours on those days.</summary>
public sealed record OpenHours(IReadOnlySet<DayOfWeek> Days, TimeOnly From, TimeOnly To)
{
    public bool IsOpen(DateTime local)
    {
        var t = TimeOnly.FromDateTime(local);
        return Days.Contains(local.DayOfWeek) && t >= From && t < To;
    }

    /// <summary>The next local opening at or after <paramref name="local"/>.</summary>
    public DateTime NextOpening(DateTime local)
    {
        var t = TimeOnly.FromDateTime(local);
        if (Days.Contains(local.DayOfWeek) && t < From) return local.Date + From.ToTimeSpan();
        for (var d = 1; d <= 7; d++)
        {
            var day = local.Date.AddDays(d);
            if (Days.Contains(day.DayOfWeek)) return day + From.ToTimeSpan();
        }
        return local.Date.AddDays(7) + From.ToTimeSpan();
    }
}

/// <summary>Local dates when nothing is sent (holidays, blackout dates), inclusive.</summary>
public sealed record RestrictedPeriod(string Name, DateOnly From, DateOnly To)
{
    public bool Contains(DateTime local) => DateOnly.FromDateTime(local) is var d && d >= From && d <= To;
}

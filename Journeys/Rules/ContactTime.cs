using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Rules;

/// <summary>The time rules: restricted periods, quiet hours and a channel's open hours, each in every one of the customer's zones.</summary>
public static class ContactTime
{
    /// <summary>The rule and reason that close <paramref name="channel"/> at <paramref name="at"/>, and when it reopens; null when open.</summary>
    public static (string Rule, string Reason, DateTimeOffset Reopens)? Closed(TenantJourneyRules rules, JourneyChannel channel, CustomerZones zones, DateTimeOffset at)
    {
        foreach (var zone in zones.Zones)
        {
            var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
            foreach (var period in rules.Restricted)
                if (period.Contains(local))
                    return (RuleNames.Restricted, $"{period.Name} in {zone.Id}", ToUtc(period.To.AddDays(1).ToDateTime(TimeOnly.MinValue), zone, at));
            if (rules.QuietHours is { } quiet && quiet.Contains(TimeOnly.FromDateTime(local)))
                return (RuleNames.QuietHours, $"{quiet.From:HH\\:mm}-{quiet.To:HH\\:mm} in {zone.Id}", ToUtc(quiet.EndAfter(local), zone, at));
            if (rules.OpenHours.TryGetValue(channel, out var open) && !open.IsOpen(local))
                return (RuleNames.OpenHours, $"{channel.ToWire()} opens {open.From:HH\\:mm} in {zone.Id}", ToUtc(open.NextOpening(local), zone, at));
        }
        return null;
    }

    /// <summary>The first instant at or after <paramref name="from"/> when every time rule allows <paramref name="channel"/>.</summary>
    public static DateTimeOffset NextOpen(TenantJourneyRules rules, JourneyChannel channel, CustomerZones zones, DateTimeOffset from)
    {
        var t = from;
        for (var i = 0; i < 64 && Closed(rules, channel, zones, t) is { } closed; i++) t = closed.Reopens;
        return t;
    }

    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone, DateTimeOffset notBefore)
    {
        // A local time in a daylight-saving gap does not exist: take the hour after.
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        var utc = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local)).ToUniversalTime();
        return utc > notBefore ? utc : notBefore.AddMinutes(1);
    }
}

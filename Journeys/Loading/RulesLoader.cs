using System.Globalization;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Journeys.Loading;

/// <summary>Loads a tenant's <c>journeys/rules.yaml</c>: channel order, time zone, quiet and open hours, restricted periods, caps, capacity.</summary>
public static class RulesLoader
{
    private static readonly Dictionary<string, DayOfWeek> Days = new()
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };

    public static TenantJourneyRules Parse(TextReader text, string file)
    {
        var errors = new List<JourneyError>();
        var rules = Parse(text, file, errors);
        if (errors.Count > 0) throw new JourneyLoadException(errors);
        return rules;
    }

    internal static TenantJourneyRules Parse(TextReader text, string file, List<JourneyError> errors)
    {
        var d = TenantJourneyRules.Default;
        var y = new YamlReader(file, errors);
        if (y.Map(y.Parse(text), "a rules file") is not { } root) return d;
        y.Only(root, "journey rules", "channelOrder", "timeZone", "quietHours", "openHours", "restricted", "caps", "capacity");

        var order = new List<JourneyChannel>();
        foreach (var (value, node) in y.StrList(root, "channelOrder"))
            if (JourneyChannels.TryParse(value, out var c) && c != JourneyChannel.Voice) order.Add(c);
            else y.Error(node, $"channel '{value}' is not whatsapp, rcs or sms");

        var zone = y.Str(root, "timeZone") ?? d.DefaultTimeZone;
        try { TimeZoneInfo.FindSystemTimeZoneById(zone); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            y.Error(YamlReader.Get(root, "timeZone")!, $"unknown time zone '{zone}' (an IANA id such as Asia/Kolkata)");
        }

        var quiet = d.QuietHours;
        var quietNode = YamlReader.Get(root, "quietHours");
        if (quietNode is YamlScalarNode { Value: "none" }) quiet = null;
        else if (y.Map(quietNode, "'quietHours'") is { } q && Window(y, q) is { } w) quiet = new DailyWindow(w.From, w.To);

        var open = new Dictionary<JourneyChannel, OpenHours>();
        if (y.Map(YamlReader.Get(root, "openHours"), "'openHours'") is { } oh)
            foreach (var (key, value) in oh.Children)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (!JourneyChannels.TryParse(name, out var channel)) { y.Error(key, $"'{name}' is not a channel"); continue; }
                if (y.Map(value, $"openHours.{name}") is not { } m) continue;
                y.Only(m, "open hours", "days", "from", "to");
                var days = new HashSet<DayOfWeek>();
                foreach (var (day, node) in y.StrList(m, "days"))
                    if (Days.TryGetValue(day.ToLowerInvariant(), out var dw)) days.Add(dw);
                    else y.Error(node, $"'{day}' is not a day (mon..sun)");
                if (days.Count == 0) foreach (var dw in Days.Values) days.Add(dw);
                if (Window(y, m) is { } w)
                {
                    if (w.To <= w.From) y.Error(m, "open hours must end after they start on the same day");
                    else open[channel] = new OpenHours(days, w.From, w.To);
                }
            }

        var restricted = new List<RestrictedPeriod>();
        foreach (var item in y.Seq(YamlReader.Get(root, "restricted"), "'restricted'")?.Children ?? [])
        {
            if (y.Map(item, "a restricted period") is not { } m) continue;
            y.Only(m, "a restricted period", "name", "from", "to", "date");
            var name = y.Str(m, "name") ?? "restricted";
            var from = Date(y, m, YamlReader.Get(m, "date") is null ? "from" : "date");
            var to = YamlReader.Get(m, "to") is null ? from : Date(y, m, "to");
            if (from is { } f && to is { } t)
            {
                if (t < f) y.Error(m, "'to' is before 'from'");
                else restricted.Add(new RestrictedPeriod(name, f, t));
            }
        }

        var caps = new List<FrequencyCap>();
        var capsNode = YamlReader.Get(root, "caps");
        foreach (var item in y.Seq(capsNode, "'caps'")?.Children ?? [])
        {
            if (y.Map(item, "a cap") is not { } m) continue;
            y.Only(m, "a cap", "purpose", "max", "per");
            var purpose = y.Str(m, "purpose") ?? "*";
            var max = Int(y, m, "max", 1);
            var per = y.Str(m, "per", required: true);
            if (per is null) continue;
            if (!Durations.TryParse(per, out var window)) y.Error(YamlReader.Get(m, "per")!, $"'{per}' is not a duration");
            else if (max is { } mx) caps.Add(new FrequencyCap(purpose, mx, window));
        }

        int mpm = d.MessagesPerMinute, cps = d.CallsPerSecond, concurrent = d.ConcurrentCalls;
        var share = d.JourneyShare;
        if (y.Map(YamlReader.Get(root, "capacity"), "'capacity'") is { } cap)
        {
            y.Only(cap, "capacity", "messagesPerMinute", "journeyShare", "callsPerSecond", "concurrentCalls");
            mpm = Int(y, cap, "messagesPerMinute", 1) ?? mpm;
            cps = Int(y, cap, "callsPerSecond", 1) ?? cps;
            concurrent = Int(y, cap, "concurrentCalls", 1) ?? concurrent;
            if (y.Str(cap, "journeyShare") is { } js)
            {
                if (double.TryParse(js, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 1) share = v;
                else y.Error(YamlReader.Get(cap, "journeyShare")!, $"'journeyShare' must be a fraction above 0 and at most 1 (the rest of the capacity is kept for replies), not '{js}'");
            }
        }
        return new TenantJourneyRules(order.Count > 0 ? order : d.ChannelOrder, quiet, open, restricted,
            capsNode is null ? d.Caps : caps, zone, mpm, cps, concurrent, share);
    }

    private static (TimeOnly From, TimeOnly To)? Window(YamlReader y, YamlMappingNode m)
    {
        var from = Time(y, m, "from");
        var to = Time(y, m, "to");
        return from is { } f && to is { } t ? (f, t) : null;
    }

    private static TimeOnly? Time(YamlReader y, YamlMappingNode m, string key)
    {
        var s = y.Str(m, key, required: true);
        if (s is null) return null;
        if (TimeOnly.TryParseExact(s, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        y.Error(YamlReader.Get(m, key)!, $"'{s}' is not a time of day (HH:mm)");
        return null;
    }

    private static DateOnly? Date(YamlReader y, YamlMappingNode m, string key)
    {
        var s = y.Str(m, key, required: true);
        if (s is null) return null;
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        y.Error(YamlReader.Get(m, key)!, $"'{s}' is not a date (yyyy-MM-dd)");
        return null;
    }

    private static int? Int(YamlReader y, YamlMappingNode m, string key, int min)
    {
        var s = y.Str(m, key);
        if (s is null) return null;
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min) return n;
        y.Error(YamlReader.Get(m, key)!, $"'{key}' must be a whole number ≥ {min}");
        return null;
    }
}

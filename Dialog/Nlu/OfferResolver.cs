using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Dialog.Nlu;

/// <summary>What an answer to "which of these?" comes to: nothing about the offer, one offered option, or unclear.</summary>
public enum OfferOutcome
{
    /// <summary>The answer does not talk about the offer (another intent, another slot's value).</summary>
    None,
    Chosen,
    /// <summary>It names a choice that is not on offer, or fits more than one option: ask, never guess.</summary>
    Unclear,
}

/// <summary>
/// Resolves a customer's answer only against the options the bot offered: ordinals ("the second one", "the last one"),
/// parts of the day ("the morning one"), partial and Indian-English times ("the 9:15 one", "9.15 pm", "11.30",
/// "half past four", "4 o'clock"). A value outside the offer is never returned.
/// </summary>
public static partial class OfferResolver
{
    private static readonly string[] Numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

    /// <param name="options">The offered option titles, in the order offered.</param>
    /// <param name="pending">The answer answers this question: ordinals, parts of the day and bare hours count, and a miss is unclear.</param>
    public static (OfferOutcome Outcome, int Index) Resolve(IReadOnlyList<string> options, string text, bool pending)
    {
        var (outcome, index, _) = ResolveWithFits(options, text, pending);
        return (outcome, index);
    }

    /// <summary>
    /// As <see cref="Resolve"/>, and for an unclear answer that fits two or more options ("morning" with 9:00 and 11:30
    /// on offer) the options it fits, in the order offered, so the clarifying question can name just those. Empty otherwise.
    /// </summary>
    public static (OfferOutcome Outcome, int Index, IReadOnlyList<int> Fits) ResolveWithFits(IReadOnlyList<string> options, string text, bool pending)
    {
        if (options.Count == 0 || text.Length == 0) return (OfferOutcome.None, -1, []);
        var t = text.ToLowerInvariant();
        // "my first flight was late" is a story, not a choice: ordinals and parts of the day count in short answers only.
        var shortAnswer = Words().Matches(t).Count <= 6;
        if (pending && shortAnswer && Ordinal().Match(t) is { Success: true } o)
        {
            var index = o.Groups[1].Value switch
            {
                "first" or "1st" or "earliest" or "earlier" => 0,
                "second" or "2nd" or "middle" => 1,
                "third" or "3rd" => 2,
                "fourth" or "4th" => 3,
                "fifth" or "5th" => 4,
                _ => options.Count - 1,
            };
            return index < options.Count ? (OfferOutcome.Chosen, index, []) : (OfferOutcome.Unclear, -1, []);
        }

        var times = options.Select(ParseTime).ToList();
        if (times.Any(x => x is null)) return (OfferOutcome.None, -1, []);
        var spoken = SpokenTime(t, pending);
        if (spoken is { } s)
        {
            var fits = Enumerable.Range(0, times.Count).Where(i =>
            {
                var o = times[i]!.Value;
                return o.Hour % 12 == s.Hour % 12 && (s.Minute is null || s.Minute == o.Minute) && (s.Pm is null || s.Pm == (o.Hour >= 12));
            }).ToList();
            if (fits.Count == 1) return (OfferOutcome.Chosen, fits[0], []);
            return pending ? (OfferOutcome.Unclear, -1, fits.Count > 1 ? fits : []) : (OfferOutcome.None, -1, []);
        }
        if (pending && shortAnswer && PartOfDay().IsMatch(t))
        {
            // "afternoon or evening" names two parts: every option in any of them fits, and more than one is unclear.
            var fits = new HashSet<int>();
            foreach (Match p in PartOfDay().Matches(t))
            {
                Func<TimeOnly, bool> inPart = p.Groups[1].Value switch
                {
                    "morning" => x => x.Hour < 12,
                    "afternoon" or "noon" => x => x.Hour is >= 12 and < 17,
                    _ => x => x.Hour >= 17,
                };
                fits.UnionWith(Enumerable.Range(0, times.Count).Where(i => inPart(times[i]!.Value)));
            }
            return fits.Count == 1 ? (OfferOutcome.Chosen, fits.Single(), [])
                : (OfferOutcome.Unclear, -1, fits.Count > 1 ? fits.Order().ToList() : []);
        }
        return (OfferOutcome.None, -1, []);
    }

    public static TimeOnly? ParseTime(string option)
    {
        // The same few offered times are parsed on every turn that lists them: remembered (bounded; a full table starts over).
        if (ParsedTimes.TryGetValue(option, out var known)) return known;
        TimeOnly? parsed = TimeOnly.TryParseExact(option.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;
        if (option.Length <= 64)
        {
            if (ParsedTimes.Count >= 4096) ParsedTimes.Clear();
            ParsedTimes.TryAdd(option, parsed);
        }
        return parsed;
    }

    private static readonly string[] TimeFormats = ["h:mm tt", "hh:mm tt", "H:mm", "HH:mm"];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TimeOnly?> ParsedTimes = new(StringComparer.Ordinal);

    private readonly record struct Spoken(int Hour, int? Minute, bool? Pm);

    /// <summary>The first time the text says, with what it leaves open (minutes, a.m./p.m.).</summary>
    private static Spoken? SpokenTime(string t, bool pending)
    {
        if (HalfPast().Match(t) is { Success: true } h && Hour(h.Groups[2].Value) is { } hh)
        {
            var minute = h.Groups[1].Value switch { "half" => 30, "quarter" => 15, _ => 0 };
            return new Spoken(hh, minute, Meridiem(h.Groups[3].Value));
        }
        if (QuarterTo().Match(t) is { Success: true } q && Hour(q.Groups[1].Value) is { } qh)
            return new Spoken((qh + 11) % 12, 45, Meridiem(q.Groups[2].Value));
        foreach (Match c in ClockTime().Matches(t))
        {
            var hour = int.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture);
            int? minute = c.Groups[2].Success ? int.Parse(c.Groups[2].Value, CultureInfo.InvariantCulture) : null;
            var meridiem = Meridiem(c.Groups[3].Value);
            // A bare "9" is only a time when it answers the question; "MH 12 AB" or "25 Dec" are not times.
            if (minute is null && meridiem is null && !c.Groups[4].Success && (!pending || Digits().Matches(t).Count != 1)) continue;
            if (hour > 23 || minute > 59) continue;
            if (hour > 12) return new Spoken(hour, minute, true);
            return new Spoken(hour, minute, meridiem);
        }
        if (WordOClock().Match(t) is { Success: true } w && Hour(w.Groups[1].Value) is { } wh) return new Spoken(wh, 0, Meridiem(w.Groups[2].Value));
        return null;
    }

    private static int? Hour(string word) =>
        int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (n is >= 0 and <= 23 ? n : null)
        : Array.IndexOf(Numbers, word) is var i and > 0 ? i : null;

    private static bool? Meridiem(string s) =>
        s.Length == 0 ? null : s[0] == 'p' || s.Contains("evening", StringComparison.Ordinal) || s.Contains("night", StringComparison.Ordinal) || s.Contains("afternoon", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|latest|final|earliest|middle)\b")]
    private static partial Regex Ordinal();

    [GeneratedRegex(@"\b(morning|afternoon|noon|evening|night|tonight)\b")]
    private static partial Regex PartOfDay();

    [GeneratedRegex(@"\b(half|quarter)\s+past\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?:\s*([ap]\.?\s?m\.?|in the (?:morning|evening|afternoon)|at night))?")]
    private static partial Regex HalfPast();

    [GeneratedRegex(@"\bquarter\s+to\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?:\s*(a\.?m\.?|p\.?m\.?))?")]
    private static partial Regex QuarterTo();

    [GeneratedRegex(@"(?<![\w:.])(\d{1,2})(?:[:.](\d{2}))?(?:\s*([ap]\.?\s?m\.?)|\s*(o'?\s?clock))?(?![\w:]|\.\d)")]
    private static partial Regex ClockTime();

    [GeneratedRegex(@"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*o'?\s?clock\b(?:\s*(a\.?m\.?|p\.?m\.?))?")]
    private static partial Regex WordOClock();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"[\p{L}\d]+")]
    private static partial Regex Words();
}

using System.Globalization;
using System.Text.RegularExpressions;
using Switchboard.Dialog.Definition;

namespace Switchboard.Dialog.Nlu;

/// <summary>
/// Finds slot values in an utterance: dates ("tomorrow", "25 Dec", "next Friday"), times ("4 pm", "16:00"), numbers,
/// booking references, phone numbers, yes/no, and the bot's own enumerations (with synonyms) and patterns. Every
/// candidate is returned with its position; the dialog step decides which slot takes which.
/// </summary>
public sealed partial class EntityExtractor
{
    private readonly IReadOnlyList<EntityDefinition> _patterns;
    private readonly Dictionary<string, Dictionary<string, EnumValue>> _enumPhrases = [];
    private readonly int _maxPhraseWords;
    private readonly TimeZoneInfo _zone;

    public EntityExtractor(BotDefinition bot)
    {
        _zone = TimeZoneInfo.FindSystemTimeZoneById(bot.Settings.TimeZone);
        _patterns = bot.Entities.Values.Where(e => e.Kind == EntityKind.Pattern).ToList();
        foreach (var e in bot.Entities.Values.Where(e => e.Kind == EntityKind.Enumeration))
        {
            var phrases = new Dictionary<string, EnumValue>(StringComparer.Ordinal);
            foreach (var v in e.Values)
                foreach (var s in v.Synonyms)
                {
                    var key = string.Join(' ', WordsOf(s.ToLowerInvariant()).Select(w => w.Word));
                    if (key.Length == 0) continue;
                    phrases[key] = v;
                    _maxPhraseWords = Math.Max(_maxPhraseWords, key.Count(c => c == ' ') + 1);
                }
            _enumPhrases[e.Name] = phrases;
        }
    }

    [GeneratedRegex(@"\{\{[a-z]+:[^}]*\}\}")]
    private static partial Regex PiiToken();

    [GeneratedRegex(@"(?<![\w:])(?<h>[01]?\d|2[0-3])(?::(?<m>[0-5]\d))?\s*(?<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?!\w)|(?<![\w:])(?<h>[01]?\d|2[0-3]):(?<m>[0-5]\d)(?![\w:])|\b(?<word>noon|midday|midnight)\b|\bat\s+(?<bare>[1-9]|1[0-2])(?:\s*o'?clock)?(?![\w:/.])", RegexOptions.IgnoreCase)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"\b(?<rel>today|tonight|tomorrow|tmrw|tomorow|tommorow|day after tomorrow|yesterday)\b|\b(?:(?<next>next|this|on)\s+)?(?<wd>monday|mon|tuesday|tue|tues|wednesday|wed|thursday|thu|thur|thurs|friday|fri|saturday|sat|sunday|sun)\b|\b(?<d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b(?:,?\s+(?<y>20\d\d))?|\b(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\s+(?<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?<y>20\d\d))?|\b(?<y>20\d\d)-(?<mn>[01]\d)-(?<d>[0-3]\d)\b|(?<![\d/])(?<d>[0-3]?\d)/(?<mn>[01]?\d)(?:/(?<y>20\d\d))?(?![\d/])", RegexOptions.IgnoreCase)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"(?<![\w-])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{6}(?![\w-])")]
    private static partial Regex BookingReferencePattern();

    [GeneratedRegex(@"(?<![\w+])\+?\d(?:[\s-]?\d){9,14}(?!\w)")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"(?<![\w.:/])\d{1,9}(?:\.\d+)?(?![\w:/])")]
    private static partial Regex NumberPattern();

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7,
        ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["twenty"] = 20,
    };

    private static readonly HashSet<string> Yes = new(StringComparer.Ordinal)
    {
        "yes", "yeah", "yea", "yep", "yup", "sure", "ok", "okay", "correct", "right", "confirm", "confirmed", "affirmative",
        "absolutely", "definitely", "y", "ya", "haan", "ha", "please do", "go ahead", "that's right", "that is right", "sounds good",
        "yes please", "do it", "book it",
    };

    private static readonly HashSet<string> No = new(StringComparer.Ordinal)
    {
        "no", "nope", "nah", "wrong", "incorrect", "n", "not right", "that's wrong", "that is wrong", "don't", "do not",
        "not really", "nahi", "no thanks", "change", "change it",
    };

    /// <summary>All candidates in <paramref name="text"/> (tokenized input), for a turn at <paramref name="now"/>.</summary>
    public List<EntityMatch> Extract(string text, DateTimeOffset now)
    {
        var found = new List<EntityMatch>();
        if (string.IsNullOrWhiteSpace(text)) return found;
        // PII tokens hold digits that are nobody's date or number.
        var masked = PiiToken().Replace(text, m => new string(' ', m.Length));
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);

        foreach (Match m in DatePattern().Matches(masked))
            if (ParseDate(m, today) is { } d)
                found.Add(new EntityMatch(BuiltinSlotTypes.Date, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DisplayDate(d), m.Index, m.Length));
        foreach (Match m in TimePattern().Matches(masked))
            if (ParseTime(m) is { } t)
                found.Add(new EntityMatch(BuiltinSlotTypes.Time, t.ToString("HH:mm", CultureInfo.InvariantCulture), DisplayTime(t), m.Index, m.Length));
        foreach (Match m in BookingReferencePattern().Matches(masked))
            found.Add(new EntityMatch(BuiltinSlotTypes.BookingReference, m.Value.ToUpperInvariant(), m.Value.ToUpperInvariant(), m.Index, m.Length));
        foreach (Match m in PhonePattern().Matches(masked))
        {
            var digits = new string(m.Value.Where(c => char.IsDigit(c) || c == '+').ToArray());
            found.Add(new EntityMatch(BuiltinSlotTypes.Phone, digits, digits, m.Index, m.Length));
        }
        foreach (var p in _patterns)
        {
            try
            {
                foreach (Match m in p.Pattern!.Matches(masked))
                {
                    var value = new string(m.Value.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();
                    found.Add(new EntityMatch(p.Name, value, m.Value.ToUpperInvariant(), m.Index, m.Length));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological input against an author's pattern: no match rather than a stalled turn.
            }
        }

        var strong = found.ToList();
        foreach (Match m in NumberPattern().Matches(masked))
        {
            var candidate = new EntityMatch(BuiltinSlotTypes.Number, m.Value, m.Value, m.Index, m.Length);
            if (!strong.Any(s => s.Overlaps(candidate))) found.Add(candidate);
        }

        var words = WordsOf(masked.ToLowerInvariant());
        foreach (var (w, start) in words)
            if (NumberWords.TryGetValue(w, out var n))
                found.Add(new EntityMatch(BuiltinSlotTypes.Number, n.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture), start, w.Length));
        AddYesNo(words, found);
        foreach (var (entity, phrases) in _enumPhrases)
            AddPhrases(entity, phrases, words, found);
        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        return found;
    }

    private void AddPhrases(string entity, Dictionary<string, EnumValue> phrases, List<(string Word, int Start)> words, List<EntityMatch> found)
    {
        var i = 0;
        while (i < words.Count)
        {
            var matched = false;
            for (var n = Math.Min(_maxPhraseWords, words.Count - i); n >= 1 && !matched; n--)
            {
                var key = n == 1 ? words[i].Word : string.Join(' ', words.Skip(i).Take(n).Select(w => w.Word));
                if (!phrases.TryGetValue(key, out var value)) continue;
                var last = words[i + n - 1];
                found.Add(new EntityMatch(entity, value.Value, value.Display, words[i].Start, last.Start + last.Word.Length - words[i].Start));
                i += n;
                matched = true;
            }
            if (!matched) i++;
        }
    }

    private static void AddYesNo(List<(string Word, int Start)> words, List<EntityMatch> found)
    {
        if (words.Count == 0) return;
        // The answer is in the first words ("yes please", "no, make it 6 pm").
        for (var n = Math.Min(3, words.Count); n >= 1; n--)
        {
            var phrase = string.Join(' ', words.Take(n).Select(w => w.Word));
            var end = words[n - 1].Start + words[n - 1].Word.Length - words[0].Start;
            if (No.Contains(phrase)) { found.Add(new EntityMatch(BuiltinSlotTypes.YesNo, "no", "no", words[0].Start, end)); return; }
            if (Yes.Contains(phrase)) { found.Add(new EntityMatch(BuiltinSlotTypes.YesNo, "yes", "yes", words[0].Start, end)); return; }
        }
    }

    /// <summary>Words (letters, digits, apostrophes) with their start positions.</summary>
    public static List<(string Word, int Start)> WordsOf(string lower)
    {
        var list = new List<(string, int)>();
        var i = 0;
        while (i < lower.Length)
        {
            while (i < lower.Length && !IsWordChar(lower[i])) i++;
            var start = i;
            while (i < lower.Length && IsWordChar(lower[i])) i++;
            if (i > start) list.Add((lower[start..i].Trim('\''), start));
        }
        return list;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '\'';

    private static DateOnly? ParseDate(Match m, DateOnly today)
    {
        if (m.Groups["rel"].Success)
            return m.Groups["rel"].Value.ToLowerInvariant() switch
            {
                "today" or "tonight" => today,
                "yesterday" => today.AddDays(-1),
                "day after tomorrow" => today.AddDays(2),
                _ => today.AddDays(1),
            };
        if (m.Groups["wd"].Success)
        {
            var target = Weekday(m.Groups["wd"].Value);
            var delta = ((int)target - (int)today.DayOfWeek + 7) % 7;
            if (m.Groups["next"].Value.Equals("next", StringComparison.OrdinalIgnoreCase) && delta == 0) delta = 7;
            return today.AddDays(delta);
        }
        var day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
        var month = m.Groups["mon"].Success ? Month(m.Groups["mon"].Value) : int.Parse(m.Groups["mn"].Value, CultureInfo.InvariantCulture);
        var explicitYear = m.Groups["y"].Success;
        var year = explicitYear ? int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture) : today.Year;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var date = new DateOnly(year, month, day);
        // "3 Jan" said in November means the coming January.
        if (!explicitYear && date < today.AddDays(-1)) date = date.AddYears(1);
        return date;
    }

    private static TimeOnly? ParseTime(Match m)
    {
        if (m.Groups["word"].Success)
            return m.Groups["word"].Value.ToLowerInvariant() == "midnight" ? new TimeOnly(0, 0) : new TimeOnly(12, 0);
        if (m.Groups["bare"].Success)
        {
            var b = int.Parse(m.Groups["bare"].Value, CultureInfo.InvariantCulture);
            // "at 4" for a flight or a workshop slot means the afternoon; "at 9" the morning.
            return new TimeOnly(b is >= 1 and <= 7 ? b + 12 : b, 0);
        }
        var h = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
        var min = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        if (m.Groups["ap"].Success)
        {
            if (h is < 1 or > 12) return null;
            var pm = m.Groups["ap"].Value.StartsWith('p') || m.Groups["ap"].Value.StartsWith('P');
            h = h % 12 + (pm ? 12 : 0);
        }
        return new TimeOnly(h, min);
    }

    public static string DisplayDate(DateOnly d) => d.ToString("dddd d MMMM", CultureInfo.InvariantCulture);

    public static string DisplayTime(TimeOnly t) => t.ToString("h:mm tt", CultureInfo.InvariantCulture);

    private static DayOfWeek Weekday(string s) => s.ToLowerInvariant()[..2] switch
    {
        "mo" => DayOfWeek.Monday,
        "tu" => DayOfWeek.Tuesday,
        "we" => DayOfWeek.Wednesday,
        "th" => DayOfWeek.Thursday,
        "fr" => DayOfWeek.Friday,
        "sa" => DayOfWeek.Saturday,
        _ => DayOfWeek.Sunday,
    };

    private static int Month(string s) => s.ToLowerInvariant()[..3] switch
    {
        "jan" => 1, "feb" => 2, "mar" => 3, "apr" => 4, "may" => 5, "jun" => 6,
        "jul" => 7, "aug" => 8, "sep" => 9, "oct" => 10, "nov" => 11, _ => 12,
    };

    /// <summary>Today in the bot's time zone (for "must not be in the past").</summary>
    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);
}

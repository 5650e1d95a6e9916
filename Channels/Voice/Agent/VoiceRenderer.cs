using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>What the voice channel says and which keypad digit picks which option.</summary>
public sealed record SpokenReply(string Speech, IReadOnlyList<SpokenOption> Options, ReplyAction? Action);

/// <summary>Option <see cref="Id"/> is chosen by saying <see cref="Title"/> or pressing <see cref="Digit"/>.</summary>
public sealed record SpokenOption(char Digit, string Id, string Title);

/// <summary>
/// Turns a channel-agnostic reply into speakable text: no emoji, URLs or markdown; times, dates, amounts, references
/// and phone numbers worded the way a person says them; options read out as "For Mumbai, say or press 1."
/// The wording of the reply itself is kept, so the persona sounds the same as in writing.
/// </summary>
public sealed partial class VoiceRenderer
{
    /// <summary>Keypad digits 1-9 pick options; more options than that are not read out.</summary>
    public const int MaxSpokenOptions = 9;

    public SpokenReply Render(EngineReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var speech = new StringBuilder(Speakable(reply.Text));
        var options = new List<SpokenOption>();
        foreach (var o in reply.OptionList.Take(MaxSpokenOptions))
        {
            var digit = (char)('1' + options.Count);
            var title = Speakable(o.Title).TrimEnd('.', '!', '?');
            if (title.Length == 0) continue;
            options.Add(new SpokenOption(digit, o.Id, title));
        }
        if (options.Count > 0)
        {
            EndSentence(speech);
            foreach (var o in options) speech.Append(" For ").Append(o.Title).Append(", say or press ").Append(DigitWords[o.Digit - '0']).Append('.');
        }
        return new SpokenReply(Collapse(speech.ToString()), options, reply.Action);
    }

    /// <summary>The speakable form of one text.</summary>
    public static string Speakable(string text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var s = PiiToken().Replace(text, m => SpeakToken(m.Groups[1].Value, m.Groups[2].Value));
        s = MarkdownLink().Replace(s, "$1");
        s = Url().Replace(s, "");
        s = MarkdownEmphasis().Replace(s, "$2");
        s = MarkdownLinePrefix().Replace(s, "");
        s = s.Replace('`', ' ');
        s = StripEmoji(s);
        s = Amount().Replace(s, SpeakAmount);
        s = Time12().Replace(s, m => SpeakTime(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0, m.Groups[3].Value));
        s = Time24().Replace(s, m => SpeakTime24(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        s = IsoDate().Replace(s, SpeakIsoDate);
        s = DayMonth().Replace(s, m => $"the {Ordinal(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))} of {FullMonth(m.Groups[2].Value)}");
        s = MonthDay().Replace(s, m => $"{FullMonth(m.Groups[1].Value)} the {Ordinal(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))}");
        s = Phone().Replace(s, m => SpellDigits(m.Value));
        s = LettersThenDigits().Replace(s, m => Spell(m.Value));
        s = Reference().Replace(s, m => Spell(m.Value));
        s = s.Replace("&", " and ", StringComparison.Ordinal);
        // Line breaks (list items) become sentence breaks.
        s = LineBreaks().Replace(s, m => ". ");
        s = Collapse(s);
        s = s.Replace(" .", ".", StringComparison.Ordinal).Replace("..", ".", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal);
        return s.Trim(' ', ',');
    }

    [GeneratedRegex(@"\{\{([a-z]+):([^:}]*):[0-9a-f]{10}\}\}")]
    private static partial Regex PiiToken();

    [GeneratedRegex(@"\[([^\]]+)\]\((?:[^)]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"\b(?:https?://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"(\*\*|__|\*|_|~~|~)(\S(?:.*?\S)?)\1")]
    private static partial Regex MarkdownEmphasis();

    [GeneratedRegex(@"(?m)^\s*(?:#{1,6}\s+|[-*•]\s+|>\s?)")]
    private static partial Regex MarkdownLinePrefix();

    [GeneratedRegex(@"(?:₹|\bRs\.?|\bINR|\$|\bUSD|€|\bEUR|£|\bGBP)\s?(\d{1,3}(?:,\d{2,3})*|\d+)(?:\.(\d{1,2}))?")]
    private static partial Regex Amount();

    [GeneratedRegex(@"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?(AM|PM|am|pm|a\.m\.|p\.m\.)(?![A-Za-z])")]
    private static partial Regex Time12();

    [GeneratedRegex(@"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")]
    private static partial Regex Time24();

    [GeneratedRegex(@"\b(20\d\d)-([01]\d)-([0-3]\d)\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"\b([0-3]?\d)(?:st|nd|rd|th)?\s+(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b")]
    private static partial Regex DayMonth();

    [GeneratedRegex(@"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\s+([0-3]?\d)(?:st|nd|rd|th)?\b")]
    private static partial Regex MonthDay();

    [GeneratedRegex(@"(?<![\w])\+?\d(?:[\s-]?\d){7,14}(?![\w])")]
    private static partial Regex Phone();

    /// <summary>Flight numbers and plates written in groups: "SW 221", "MH 12 AB 1234".</summary>
    [GeneratedRegex(@"\b[A-Z]{2}(?:\s\d{1,4})(?:\s[A-Z]{1,3}\s\d{1,4})?\b")]
    private static partial Regex LettersThenDigits();

    /// <summary>Codes mixing capitals and digits: booking references, gates, seats ("AB12CD", "B12", "14C").</summary>
    [GeneratedRegex(@"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,12}\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();

    [GeneratedRegex(@"[ \t]{2,}")]
    private static partial Regex Spaces();

    private static string Collapse(string s) => Spaces().Replace(s, " ").Trim();

    private static void EndSentence(StringBuilder sb)
    {
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        if (sb.Length > 0 && sb[^1] is not ('.' or '!' or '?')) sb.Append('.');
    }

    private static string SpeakToken(string kind, string display) => kind switch
    {
        "card" => $"the card ending in {SpellDigits(display)}",
        "otp" => "the code",
        "email" => display.Length > 0 ? $"your email address at {display.Replace(".", " dot ", StringComparison.Ordinal)}" : "your email address",
        "aadhaar" => $"the Aadhaar number ending in {SpellDigits(display)}",
        "pan" => "your PAN",
        "iban" => $"the account ending in {Spell(display)}",
        "ssn" => $"the number ending in {SpellDigits(display)}",
        _ => "that detail",
    };

    private static string StripEmoji(string s)
    {
        // Most replies have none: return the text itself, without a copy.
        var any = false;
        foreach (var r in s.EnumerateRunes())
            if (IsEmoji(r)) { any = true; break; }
        if (!any) return s;
        var sb = new StringBuilder(s.Length);
        Span<char> units = stackalloc char[2];
        foreach (var r in s.EnumerateRunes())
            if (!IsEmoji(r)) sb.Append(units[..r.EncodeToUtf16(units)]);
        return sb.ToString();
    }

    private static bool IsEmoji(Rune r)
    {
        var v = r.Value;
        return v is >= 0x1F000 and <= 0x1FAFF or >= 0x2600 and <= 0x27BF or >= 0x2B00 and <= 0x2BFF or 0x200D or >= 0xFE00 and <= 0xFE0F or >= 0xE0000 and <= 0xE007F or 0x20E3
            || Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherSymbol;
    }

    private static string SpeakAmount(Match m)
    {
        var symbol = m.Value.TrimStart()[..1];
        var (major, minor) = m.Value.Contains("Rs", StringComparison.Ordinal) || m.Value.Contains("INR", StringComparison.Ordinal) || symbol == "₹" ? ("rupees", "paise")
            : symbol == "$" || m.Value.Contains("USD", StringComparison.Ordinal) ? ("dollars", "cents")
            : symbol == "€" || m.Value.Contains("EUR", StringComparison.Ordinal) ? ("euros", "cents")
            : ("pounds", "pence");
        var whole = long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        var text = $"{Words(whole)} {(whole == 1 ? major.TrimEnd('s') : major)}";
        if (whole == 1 && major == "rupees") text = "one rupee";
        if (m.Groups[2].Success)
        {
            var cents = int.Parse(m.Groups[2].Value.PadRight(2, '0'), CultureInfo.InvariantCulture);
            if (cents > 0) text += $" and {Words(cents)} {minor}";
        }
        return text;
    }

    private static string SpeakTime(int hour, int minute, string ampm)
    {
        var suffix = ampm.StartsWith('p') || ampm.StartsWith('P') ? "p.m." : "a.m.";
        if (hour == 12 && minute == 0) return suffix == "p.m." ? "noon" : "midnight";
        return $"{Words(hour)}{MinuteWords(minute)} {suffix}";
    }

    private static string SpeakTime24(int hour, int minute)
    {
        if (hour == 12 && minute == 0) return "noon";
        if (hour == 0 && minute == 0) return "midnight";
        var h12 = hour % 12 == 0 ? 12 : hour % 12;
        return $"{Words(h12)}{MinuteWords(minute)} {(hour < 12 ? "a.m." : "p.m.")}";
    }

    private static string MinuteWords(int minute) => minute switch
    {
        0 => "",
        < 10 => $" oh {Words(minute)}",
        _ => $" {Words(minute)}",
    };

    private static string SpeakIsoDate(Match m)
    {
        var year = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var month = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day is < 1 or > 31) return m.Value;
        return $"the {Ordinal(day)} of {CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month)} {Words(year / 100)} {Words(year % 100)}";
    }

    private static string FullMonth(string m) => m[..3].ToLowerInvariant() switch
    {
        "jan" => "January", "feb" => "February", "mar" => "March", "apr" => "April", "may" => "May", "jun" => "June",
        "jul" => "July", "aug" => "August", "sep" => "September", "oct" => "October", "nov" => "November", _ => "December",
    };

    /// <summary>Letters one by one, digits as words: "AB12CD" → "A B one two C D".</summary>
    public static string Spell(string code)
    {
        var parts = new List<string>();
        foreach (var c in code)
        {
            if (char.IsAsciiDigit(c)) parts.Add(DigitWords[c - '0']);
            else if (char.IsLetter(c)) parts.Add(char.ToUpperInvariant(c).ToString());
        }
        return string.Join(' ', parts);
    }

    private static string SpellDigits(string s)
    {
        var parts = new List<string>();
        if (s.TrimStart().StartsWith('+')) parts.Add("plus");
        foreach (var c in s) if (char.IsAsciiDigit(c)) parts.Add(DigitWords[c - '0']);
        return string.Join(' ', parts);
    }

    private static readonly string[] DigitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly string[] Small =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
        "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>A whole number in English words ("one thousand two hundred and fifty").</summary>
    public static string Words(long n)
    {
        if (n < 0) return "minus " + Words(-n);
        if (n < 20) return Small[n];
        if (n < 100) return Tens[n / 10] + (n % 10 == 0 ? "" : "-" + Small[n % 10]);
        if (n < 1000) return Small[n / 100] + " hundred" + (n % 100 == 0 ? "" : " and " + Words(n % 100));
        foreach (var (size, name) in new (long, string)[] { (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand") })
            if (n >= size)
                return Words(n / size) + " " + name + (n % size == 0 ? "" : (n % size < 100 ? " and " : " ") + Words(n % size));
        return n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>1 → "first", 25 → "twenty-fifth".</summary>
    public static string Ordinal(int n)
    {
        string[] special = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"];
        if (n < special.Length) return special[n];
        if (n < 20) return Words(n) + "th";
        if (n % 10 == 0) return Tens[n / 10][..^1] + "ieth";
        return Tens[n / 10] + "-" + special[n % 10];
    }
}

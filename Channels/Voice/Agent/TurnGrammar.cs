using System.Globalization;
using Switchboard.Speech.Grammar;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// The speech grammar of one voice turn, from what the reply expects: yes/no for a confirmation, the options read out,
/// the pending slot's values (an enumeration such as cities without their codes, dates, times unless times are offered,
/// digit strings), the global phrases (help, repeat, a person) and, when no flow is open, the bot's menu phrases (its intent
/// examples, from <see cref="BotVoiceProfile"/>). Each phrase's value is the text the engine
/// is sent, in a form its NLU reads ("4:00 PM" for "four p m", "25 November" for "the twenty fifth of november").
/// </summary>
public static class TurnGrammar
{
    private static readonly string[] Globals =
        ["help", "help me please", "say that again", "repeat that", "start over", "cancel that", "talk to a person", "speak to an agent"];

    /// <summary>What a caller can say at every turn (help, repeat, a person).</summary>
    public static IReadOnlyList<string> GlobalPhrases => Globals;

    private static readonly string[] Ordinals =
    [
        "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
        "twentieth", "twenty first", "twenty second", "twenty third", "twenty fourth", "twenty fifth", "twenty sixth",
        "twenty seventh", "twenty eighth", "twenty ninth", "thirtieth", "thirty first",
    ];

    public static SpeechGrammar For(EngineReply reply, BotVoiceProfile? bot, DateOnly today)
    {
        var g = new GrammarBuilder();
        var expect = reply.Expect ?? new ReplyExpectation(ReplyExpectation.Menu);
        foreach (var phrase in Globals) g.Choice(phrase);
        if (expect.Type is ReplyExpectation.Confirm or BuiltinTypes.YesNo || reply.Style == ReplyStyle.Confirmation) g.YesNo();

        var n = 1;
        foreach (var option in reply.OptionList.Take(VoiceRenderer.MaxSpokenOptions))
        {
            var spoken = VoiceRenderer.Speakable(option.Title).TrimEnd('.', '!', '?');
            g.Choice(option.Title, [spoken, $"option {SpokenText.DigitWords[n]}", $"number {SpokenText.DigitWords[n]}", .. TimeVariants(option.Title)]);
            n++;
        }
        // Codes ("BOM" for Mumbai) are odd-sounding words other answers fell into ("Hyderabad" heard as "bom"); callers say names.
        var codes = expect.CodeList.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var phrase in expect.PhraseList)
            if (!codes.Contains(phrase)) g.Choice(phrase);
        switch (expect.Type)
        {
            case BuiltinTypes.Date:
                Dates(g, today);
                break;
            case BuiltinTypes.Time when !reply.OptionList.Any(o => TimeVariants(o.Title).Any()):
                // Every hour of the day only when no times are offered: with "9:30 AM, 4:00 PM or 9:15 PM" read out,
                // the 24 others only stood in the way ("four p m" was heard as "twelve p m" with 4 voices of 8).
                for (var h = 1; h <= 12; h++)
                {
                    g.Choice($"{h}:00 PM", $"{Words(h)} p m", $"{Words(h)} in the evening", $"{Words(h)} in the afternoon");
                    g.Choice($"{h}:00 AM", $"{Words(h)} a m", $"{Words(h)} in the morning");
                }
                break;
            case BuiltinTypes.Number or BuiltinTypes.Phone or BuiltinTypes.Text:
                g.Digits(1, 16);
                break;
        }
        if (expect.Secret) g.Digits(1, 19);
        if (expect.Type == ReplyExpectation.Menu && bot is not null)
            foreach (var phrase in bot.MenuPhrases) g.Choice(phrase);
        return g.Build(expect.Slot ?? expect.Type);
    }

    /// <summary>"4:00 PM" is also "four p m", "four o'clock", "four", "the four p m one".</summary>
    private static IEnumerable<string> TimeVariants(string title)
    {
        if (!DateTime.TryParseExact(title.Trim(), ["h:mm tt", "h tt", "h:mmtt", "htt"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) yield break;
        var h12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        var ampm = t.Hour < 12 ? "a m" : "p m";
        var hour = Words(h12);
        var minutes = t.Minute == 0 ? "" : " " + MinuteWords(t.Minute);
        yield return $"{hour}{minutes} {ampm}";
        yield return $"the {hour}{minutes} {ampm} one";
        yield return $"the {hour}{minutes} {ampm} flight";
        yield return $"{hour}{minutes}";
        if (t.Minute == 0) yield return $"{hour} o'clock";
    }

    private static void Dates(GrammarBuilder g, DateOnly today)
    {
        g.Choice("today");
        g.Choice("tomorrow", "tomorrow please");
        g.Choice("day after tomorrow", "the day after tomorrow");
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var name = day.ToString().ToLowerInvariant();
            g.Choice(name, $"on {name}", $"this {name}");
            g.Choice($"next {name}");
        }
        foreach (var month in new[] { today, today.AddMonths(1) }.Select(d => d.ToString("MMMM", CultureInfo.InvariantCulture)).Distinct())
            for (var d = 1; d <= 31; d++)
                g.Choice($"{d} {month}", $"the {Ordinals[d]} of {month}", $"{month} the {Ordinals[d]}", $"{month} {Ordinals[d]}");
    }

    private static string Words(int n) => n switch
    {
        10 => "ten",
        11 => "eleven",
        12 => "twelve",
        _ => SpokenText.DigitWords[n],
    };

    private static string MinuteWords(int minute) => minute switch
    {
        15 => "fifteen",
        30 => "thirty",
        45 => "forty five",
        < 10 => "oh " + SpokenText.DigitWords[minute],
        _ => TensWords(minute),
    };

    private static string TensWords(int n)
    {
        string[] tens = ["", "", "twenty", "thirty", "forty", "fifty"];
        string[] teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
        if (n < 20) return teens[n - 10];
        return n % 10 == 0 ? tens[n / 10] : $"{tens[n / 10]} {SpokenText.DigitWords[n % 10]}";
    }

    /// <summary>The dialog's built-in slot types, by the names the expectation hint carries.</summary>
    private static class BuiltinTypes
    {
        public const string Date = "date";
        public const string Time = "time";
        public const string Number = "number";
        public const string YesNo = "yes_no";
        public const string Phone = "phone";
        public const string Text = "text";
    }
}

namespace Switchboard.Speech.Grammar;

/// <summary>
/// Builds the grammar of one voice turn from what the dialog expects there: yes/no, menu options, digits, the bot's
/// enumerations (cities, dates), the intents' example phrasings. A grammar-constrained recogniser gets telephone
/// audio right where a general language model does not (25/25 against 1/25 on this machine), so every turn has one.
/// </summary>
public sealed class GrammarBuilder
{
    private readonly Dictionary<string, string> _valueByPhrase = new(StringComparer.Ordinal);
    private DigitRange? _digits;

    public static readonly IReadOnlyList<string> YesPhrasings =
        ["yes", "yeah", "yep", "yes please", "correct", "that's right", "that is right", "sure", "okay", "right"];

    public static readonly IReadOnlyList<string> NoPhrasings =
        ["no", "nope", "no thanks", "no thank you", "not really", "that's wrong", "that is wrong", "incorrect"];

    /// <summary>"yes" or "no", with the usual ways of saying them.</summary>
    public GrammarBuilder YesNo()
    {
        foreach (var p in YesPhrasings) Add(p, "yes");
        foreach (var p in NoPhrasings) Add(p, "no");
        return this;
    }

    /// <summary>One answer meaning <paramref name="value"/>, said any of the ways given (the value itself included).</summary>
    public GrammarBuilder Choice(string value, params IEnumerable<string> phrasings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Add(value, value);
        foreach (var p in phrasings) Add(p, value);
        return this;
    }

    /// <summary>Menu options: each answers to its own words and to "option N" (1-based, as a prompt reads them).</summary>
    public GrammarBuilder Menu(IEnumerable<string> options)
    {
        var n = 1;
        foreach (var option in options)
        {
            Add(option, option);
            if (n <= 9) Add($"option {SpokenText.DigitWords[n]}", option);
            n++;
        }
        return this;
    }

    /// <summary>An enumeration of values (cities, airlines, days): each is said as itself.</summary>
    public GrammarBuilder Enumeration(IEnumerable<string> values)
    {
        foreach (var v in values) Add(v, v);
        return this;
    }

    /// <summary>An intent, recognised from its example phrasings; the value is the intent's name.</summary>
    public GrammarBuilder Intent(string name, IEnumerable<string> examplePhrasings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var p in examplePhrasings) Add(p, name);
        return this;
    }

    /// <summary>A digit string of <paramref name="minLength"/> to <paramref name="maxLength"/> digits; the value is the digits.</summary>
    public GrammarBuilder Digits(int minLength, int maxLength)
    {
        if (minLength < 1 || maxLength < minLength || maxLength > 32)
            throw new ArgumentOutOfRangeException(nameof(maxLength), "Digit strings are 1 to 32 digits, min ≤ max.");
        _digits = _digits is null ? new DigitRange(minLength, maxLength)
            : new DigitRange(Math.Min(_digits.Min, minLength), Math.Max(_digits.Max, maxLength));
        return this;
    }

    public SpeechGrammar Build(string name = "turn")
    {
        if (_valueByPhrase.Count == 0 && _digits is null)
            throw new InvalidOperationException("A grammar needs at least one phrase or a digit range.");
        return new SpeechGrammar(name, _valueByPhrase, _digits);
    }

    private void Add(string phrasing, string value)
    {
        var phrase = SpokenText.Phrase(phrasing);
        if (phrase.Length == 0) return;
        _valueByPhrase.TryAdd(phrase, value); // first meaning wins: "yes" said for a yes/no stays "yes"
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Speech.Grammar;

/// <summary>
/// What a voice turn can understand: phrases with the value each one means, and optionally a digit string.
/// Built by <see cref="GrammarBuilder"/>; rendered to JSGF for pocketsphinx; interprets a recognised text back to a value.
/// </summary>
public sealed class SpeechGrammar
{
    private readonly Dictionary<string, string> _valueByPhrase;

    internal SpeechGrammar(string name, IReadOnlyDictionary<string, string> valueByPhrase, DigitRange? digits)
    {
        Name = name;
        _valueByPhrase = new Dictionary<string, string>(valueByPhrase, StringComparer.Ordinal);
        Digits = digits;
        Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJsgf(null) ?? "")))[..16];
    }

    private SpeechGrammar(string name, string languageModelFile, string key, string? backgroundFile = null, double domainWeight = 1)
    {
        Name = name;
        _valueByPhrase = new Dictionary<string, string>(StringComparer.Ordinal);
        LanguageModelFile = languageModelFile;
        BackgroundLanguageModelFile = backgroundFile;
        DomainWeight = domainWeight;
        Key = "lm" + key;
    }

    /// <summary>
    /// An open turn: free speech recognised with a language model (ARPA or pocketsphinx's binary format) instead of a
    /// list of phrases; the value is what was heard, for the engine's own understanding. <paramref name="key"/> names
    /// the model's content (decoders keep loaded models by it).
    /// </summary>
    public static SpeechGrammar Open(string name, string languageModelFile, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(languageModelFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return new SpeechGrammar(name, languageModelFile, key);
    }

    /// <summary>
    /// An open turn on <paramref name="languageModelFile"/> interpolated linearly with <paramref name="backgroundFile"/>
    /// (P = w·P_domain + (1 − w)·P_background, w = <paramref name="domainWeight"/>); see
    /// <see cref="LanguageModel.InterpolatedLanguageModel"/>. <paramref name="key"/> names the combination.
    /// </summary>
    public static SpeechGrammar Interpolated(string name, string languageModelFile, string backgroundFile, double domainWeight, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(languageModelFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(backgroundFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (!(domainWeight is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(domainWeight), domainWeight, "The domain model's weight must be between 0 and 1 (exclusive).");
        return new SpeechGrammar(name, languageModelFile, key, backgroundFile, domainWeight);
    }

    /// <summary>The language model of an open turn; null for a grammar of phrases.</summary>
    public string? LanguageModelFile { get; }

    /// <summary>The generic model <see cref="LanguageModelFile"/> is interpolated with; null when it is used alone.</summary>
    public string? BackgroundLanguageModelFile { get; }

    /// <summary>Weight of <see cref="LanguageModelFile"/> when interpolated (1 when it is used alone).</summary>
    public double DomainWeight { get; } = 1;

    /// <summary>A name for logs ("confirm-flight"); not part of the identity of the grammar.</summary>
    public string Name { get; }

    /// <summary>Identity of the grammar's content: equal content, equal key (decoders cache compiled grammars by it).</summary>
    public string Key { get; }

    public IReadOnlyDictionary<string, string> ValueByPhrase => _valueByPhrase;

    public DigitRange? Digits { get; }

    public IEnumerable<string> Vocabulary =>
        _valueByPhrase.Keys.SelectMany(p => p.Split(' ')).Concat(Digits is null ? [] : SpokenText.DigitWords.Append("oh")).Distinct();

    /// <summary>The meaning of a recognised text in this grammar, or null when it means nothing here.</summary>
    public string? Interpret(string recognisedText)
    {
        var phrase = SpokenText.Phrase(recognisedText);
        if (phrase.Length == 0) return null;
        if (LanguageModelFile is not null) return phrase;
        if (_valueByPhrase.TryGetValue(phrase, out var value)) return value;
        if (Digits is { } range)
        {
            var words = phrase.Split(' ');
            var digits = new StringBuilder(words.Length);
            foreach (var w in words)
            {
                if (SpokenText.DigitOf(w) is not { } d) return null;
                digits.Append((char)('0' + d));
            }
            if (digits.Length >= range.Min && digits.Length <= range.Max) return digits.ToString();
        }
        return null;
    }

    /// <summary>
    /// JSGF for this grammar. Phrases containing a word <paramref name="isKnownWord"/> rejects are left out
    /// (a recogniser cannot listen for a word it cannot pronounce). Returns null when nothing is left.
    /// </summary>
    public string? ToJsgf(Func<string, bool>? isKnownWord)
    {
        var phrases = _valueByPhrase.Keys
            .Where(p => isKnownWord is null || p.Split(' ').All(isKnownWord))
            .Order(StringComparer.Ordinal)
            .ToList();
        var digits = Digits is not null && (isKnownWord is null || SpokenText.DigitWords.All(isKnownWord));
        if (phrases.Count == 0 && !digits) return null;

        var jsgf = new StringBuilder("#JSGF V1.0;\ngrammar turn;\n");
        var top = new List<string>();
        if (phrases.Count > 0)
        {
            jsgf.Append("<phrase> = ").AppendJoin(" | ", phrases).Append(";\n");
            top.Add("<phrase>");
        }
        if (digits && Digits is { } range)
        {
            var hasOh = isKnownWord is null || isKnownWord("oh");
            jsgf.Append("<digit> = ").AppendJoin(" | ", hasOh ? SpokenText.DigitWords.Append("oh") : SpokenText.DigitWords).Append(";\n");
            jsgf.Append("<digits> = ").AppendJoin(' ', Enumerable.Repeat("<digit>", range.Min));
            for (var i = range.Min; i < range.Max; i++) jsgf.Append(" [<digit>]");
            jsgf.Append(";\n");
            top.Add("<digits>");
        }
        jsgf.Append("public <utterance> = ").AppendJoin(" | ", top).Append(";\n");
        return jsgf.ToString();
    }
}

/// <summary>How many digits a digit-string answer has (a PIN of 4, a card of 16, a booking number of 6 to 8).</summary>
public sealed record DigitRange(int Min, int Max);

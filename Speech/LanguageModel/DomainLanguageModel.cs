using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Speech.Grammar;

namespace Switchboard.Speech.LanguageModel;

/// <summary>
/// A trigram language model (ARPA) of one bot's own phrases (its intent examples, entity values, prompts), for turns
/// that take free speech rather than a choice. pocketsphinx with its generic 27 MB model gets almost nothing right on
/// telephone audio; a model of what callers of this bot say narrows the search to the domain (see docs/speech.md).
/// Absolute discounting (D = 0.5) with back-off, the textbook estimate for small corpora; written here because no
/// served .NET package builds ARPA models and the estimate is some forty lines.
/// </summary>
public sealed class DomainLanguageModel
{
    private const double Discount = 0.5;

    private DomainLanguageModel(string arpa, IReadOnlyCollection<string> vocabulary, int sentences)
    {
        Arpa = arpa;
        Vocabulary = vocabulary;
        Sentences = sentences;
        Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(arpa)))[..16];
    }

    /// <summary>The model in ARPA text form (log10 probabilities and back-off weights).</summary>
    public string Arpa { get; }

    /// <summary>Identity of the content: equal phrases, equal key (decoders cache loaded models by it).</summary>
    public string Key { get; }

    public IReadOnlyCollection<string> Vocabulary { get; }

    /// <summary>Phrases the model was estimated from (after normalising and dropping those with unknown words).</summary>
    public int Sentences { get; }

    /// <summary>
    /// Estimates the model from <paramref name="phrases"/>, normalised to spoken words ("SW 123" → "sw one two three").
    /// A phrase with a word <paramref name="isKnownWord"/> rejects is left out: the recogniser cannot say it.
    /// </summary>
    public static DomainLanguageModel Build(IEnumerable<string> phrases, Func<string, bool>? isKnownWord = null)
    {
        var sentences = phrases
            .Select(SpokenText.Words)
            .Where(w => w.Count > 0 && (isKnownWord is null || w.All(isKnownWord)))
            .Select(w => (IReadOnlyList<string>)["<s>", .. w, "</s>"])
            .Distinct(new SequenceComparer())
            .ToList();
        if (sentences.Count == 0) throw new ArgumentException("No phrase of known words to build a language model from.", nameof(phrases));

        var uni = new Dictionary<string, int>(StringComparer.Ordinal);
        var bi = new Dictionary<(string, string), int>();
        var tri = new Dictionary<(string, string, string), int>();
        foreach (var s in sentences)
        {
            for (var i = 0; i < s.Count; i++)
            {
                Add(uni, s[i]);
                if (i >= 1) Add(bi, (s[i - 1], s[i]));
                if (i >= 2) Add(tri, (s[i - 2], s[i - 1], s[i]));
            }
        }
        var total = uni.Where(u => u.Key != "<s>").Sum(u => u.Value);
        var p1 = uni.ToDictionary(u => u.Key, u => u.Key == "<s>" ? 0 : (double)u.Value / total, StringComparer.Ordinal);

        // Bigrams: discounted estimate for seen pairs, the rest of the mass backs off to unigrams.
        var biContext = bi.GroupBy(b => b.Key.Item1).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var p2 = new Dictionary<(string, string), double>();
        var bow1 = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (h, seen) in biContext)
        {
            var count = (double)seen.Sum(s => s.Value);
            foreach (var s in seen) p2[s.Key] = (s.Value - Discount) / count;
            var left = Discount * seen.Count / count;
            var unseenMass = 1 - seen.Sum(s => p1[s.Key.Item2]);
            bow1[h] = unseenMass > 1e-9 ? left / unseenMass : 1;
        }
        double P2(string h, string w) => p2.TryGetValue((h, w), out var p) ? p : bow1.GetValueOrDefault(h, 1) * p1[w];

        var triContext = tri.GroupBy(t => (t.Key.Item1, t.Key.Item2)).ToDictionary(g => g.Key, g => g.ToList());
        var p3 = new Dictionary<(string, string, string), double>();
        var bow2 = new Dictionary<(string, string), double>();
        foreach (var (h, seen) in triContext)
        {
            var count = (double)seen.Sum(s => s.Value);
            foreach (var s in seen) p3[s.Key] = (s.Value - Discount) / count;
            var left = Discount * seen.Count / count;
            var unseenMass = 1 - seen.Sum(s => P2(h.Item2, s.Key.Item3));
            bow2[h] = unseenMass > 1e-9 ? left / unseenMass : 1;
        }

        var arpa = new StringBuilder("\\data\\\n");
        arpa.Append(CultureInfo.InvariantCulture, $"ngram 1={uni.Count}\nngram 2={bi.Count}\nngram 3={tri.Count}\n\n\\1-grams:\n");
        foreach (var w in uni.Keys.Order(StringComparer.Ordinal))
            arpa.Append(CultureInfo.InvariantCulture, $"{(w == "<s>" ? -99 : Math.Log10(p1[w])):F6} {w} {Math.Log10(bow1.GetValueOrDefault(w, 1)):F6}\n");
        arpa.Append("\n\\2-grams:\n");
        foreach (var ((a, b), _) in bi.OrderBy(x => x.Key.Item1, StringComparer.Ordinal).ThenBy(x => x.Key.Item2, StringComparer.Ordinal))
            arpa.Append(CultureInfo.InvariantCulture, $"{Math.Log10(p2[(a, b)]):F6} {a} {b} {Math.Log10(bow2.GetValueOrDefault((a, b), 1)):F6}\n");
        arpa.Append("\n\\3-grams:\n");
        foreach (var ((a, b, c), _) in tri.OrderBy(x => x.Key.Item1, StringComparer.Ordinal).ThenBy(x => x.Key.Item2, StringComparer.Ordinal).ThenBy(x => x.Key.Item3, StringComparer.Ordinal))
            arpa.Append(CultureInfo.InvariantCulture, $"{Math.Log10(p3[(a, b, c)]):F6} {a} {b} {c}\n");
        arpa.Append("\n\\end\\\n");
        return new DomainLanguageModel(arpa.ToString(), [.. uni.Keys.Where(w => w is not ("<s>" or "</s>"))], sentences.Count);
    }

    /// <summary>
    /// An open-turn grammar on this model: the ARPA text is written once to <paramref name="directory"/> (default: a
    /// folder under the temporary directory), named by its key; it holds the bot's phrases only, never a caller's words.
    /// </summary>
    public SpeechGrammar ToGrammar(string name, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "switchboard-lm");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Key + ".arpa");
        if (!File.Exists(path))
        {
            var temporary = path + "." + Guid.NewGuid().ToString("N");
            File.WriteAllText(temporary, Arpa);
            File.Move(temporary, path, overwrite: true);
        }
        return SpeechGrammar.Open(name, path, Key);
    }

    /// <summary>
    /// Log10 probability of one sentence under the model, with back-off (for tests: probabilities of every next word
    /// after a context sum to one, and an in-domain sentence scores far above a shuffled one).
    /// </summary>
    public double Log10Probability(string sentence) => ArpaReader.Parse(Arpa).Score(SpokenText.Words(sentence));

    private static void Add<T>(Dictionary<T, int> counts, T key) where T : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private sealed class SequenceComparer : IEqualityComparer<IReadOnlyList<string>>
    {
        public bool Equals(IReadOnlyList<string>? x, IReadOnlyList<string>? y) => x!.SequenceEqual(y!);
        public int GetHashCode(IReadOnlyList<string> obj) => obj.Aggregate(17, (h, w) => h * 31 + w.GetHashCode(StringComparison.Ordinal));
    }
}

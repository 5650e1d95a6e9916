using System.Globalization;

namespace Switchboard.Speech.LanguageModel;

/// <summary>Reads an ARPA trigram model back and scores word sequences with back-off, as a decoder does (for checks).</summary>
public sealed class ArpaReader
{
    private readonly Dictionary<string, (double LogP, double Bow)> _grams = new(StringComparer.Ordinal);

    public static ArpaReader Parse(string arpa)
    {
        var reader = new ArpaReader();
        var order = 0;
        foreach (var raw in arpa.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("ngram ", StringComparison.Ordinal) || line == "\\data\\" || line == "\\end\\") continue;
            if (line.StartsWith('\\') && line.EndsWith("-grams:", StringComparison.Ordinal))
            {
                order = int.Parse(line[1..line.IndexOf('-')], CultureInfo.InvariantCulture);
                continue;
            }
            var parts = line.Split(' ');
            var words = string.Join(' ', parts[1..(1 + order)]);
            var bow = parts.Length > 1 + order ? double.Parse(parts[1 + order], CultureInfo.InvariantCulture) : 0;
            reader._grams[words] = (double.Parse(parts[0], CultureInfo.InvariantCulture), bow);
        }
        return reader;
    }

    /// <summary>Log10 P(word | history) with back-off; history holds up to the two previous words.</summary>
    public double LogProbability(IReadOnlyList<string> history, string word)
    {
        if (history.Count == 0) return _grams.TryGetValue(word, out var u) ? u.LogP : double.NegativeInfinity;
        var key = string.Join(' ', history) + " " + word;
        if (_grams.TryGetValue(key, out var g)) return g.LogP;
        var bow = _grams.TryGetValue(string.Join(' ', history), out var h) ? h.Bow : 0;
        return bow + LogProbability(history.Skip(1).ToList(), word);
    }

    /// <summary>Log10 probability of a sentence from &lt;s&gt; to &lt;/s&gt;.</summary>
    public double Score(IReadOnlyList<string> words)
    {
        List<string> all = ["<s>", .. words, "</s>"];
        double sum = 0;
        for (var i = 1; i < all.Count; i++) sum += LogProbability(all.GetRange(Math.Max(0, i - 2), Math.Min(i, 2)), all[i]);
        return sum;
    }
}

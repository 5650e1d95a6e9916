using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Switchboard.Dialog.Nlu;

/// <summary>What the classifier made of an utterance. <see cref="Intent"/> is null when nothing in it is known at all.</summary>
public readonly record struct IntentPrediction(string? Intent, double Confidence);

/// <summary>
/// An ML.NET intent classifier trained from a bot's example utterances when the bot loads (text features →
/// L-BFGS maximum entropy). The trained model is shared; prediction engines are not thread-safe, so each caller borrows one from a pool.
/// Utterances with no word the bot has ever seen (another language, emoji, noise) are refused before the model is asked.
/// </summary>
public sealed class IntentClassifier : IDisposable
{
    private readonly ITransformer _model;
    private readonly MLContext _ml;
    private readonly HashSet<string> _vocabulary;
    // Prediction engines are not thread-safe: a pool hands each caller its own, and holds about as many as run at once.
    // A queue, not a ConcurrentBag: turns take an engine on one thread-pool thread and give it back on another, so the
    // bag stole from other threads' lists under a lock on every turn (contention seen in the webhook profile).
    private readonly ConcurrentQueue<PredictionEngine<Utterance, Scored>> _engines = new();

    // A training example said word for word ("what can you do") is its intent, even when it has only common words.
    private readonly Dictionary<string, string> _exact;

    private IntentClassifier(MLContext ml, ITransformer model, HashSet<string> vocabulary, Dictionary<string, string> exact)
    {
        _ml = ml;
        _model = model;
        _vocabulary = vocabulary;
        _exact = exact;
    }

    public IReadOnlySet<string> Vocabulary => _vocabulary;

    /// <param name="examples">(utterance, intent) pairs; at least two intents.</param>
    /// <param name="extraVocabulary">Words that count as known though no example has them (entity synonyms).</param>
    public static IntentClassifier Train(IEnumerable<(string Text, string Intent)> examples, IEnumerable<string>? extraVocabulary = null, int seed = 7)
    {
        var data = examples.Select(e => new Utterance { Text = Normalize(e.Text), Label = e.Intent }).ToList();
        if (data.Select(d => d.Label).Distinct().Count() < 2) throw new ArgumentException("Training needs examples of at least two intents.");
        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in data) foreach (var w in Words(d.Text)) vocabulary.Add(w);
        foreach (var w in (extraVocabulary ?? []).SelectMany(x => Words(Normalize(x)))) vocabulary.Add(w);

        var ml = new MLContext(seed);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Text.FeaturizeText("Features", nameof(Utterance.Text)))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0, l2Regularization: 0.01f))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(data));
        var exact = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in data.GroupBy(d => Collapse(d.Text), StringComparer.Ordinal))
            if (g.Select(d => d.Label).Distinct(StringComparer.Ordinal).Count() == 1) exact[g.Key] = g.First().Label;
        return new IntentClassifier(ml, model, vocabulary, exact);
    }

    public IntentPrediction Predict(string text)
    {
        var normalized = Normalize(text);
        if (_exact.TryGetValue(Collapse(normalized), out var said)) return new IntentPrediction(said, 1);
        var known = false;
        foreach (var w in Words(normalized))
            if (!StopWords.Contains(w) && (_vocabulary.Contains(w) || NearKnownWord(w))) { known = true; break; }
        if (!known) return new IntentPrediction(null, 0);
        if (!_engines.TryDequeue(out var engine)) engine = _ml.Model.CreatePredictionEngine<Utterance, Scored>(_model);
        Scored scored;
        try
        {
            scored = engine.Predict(new Utterance { Text = normalized });
        }
        finally
        {
            _engines.Enqueue(engine);
        }
        var max = 0f;
        foreach (var s in scored.Score) if (s > max) max = s;
        return new IntentPrediction(scored.PredictedLabel, max);
    }

    private static string Collapse(string normalized) => string.Join(' ', normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A typo of a known word ("mised", "conection"): one letter added, dropped or changed, in words of 5 letters or more.</summary>
    private bool NearKnownWord(string word)
    {
        if (word.Length < 5) return false;
        foreach (var v in _vocabulary)
            if (Math.Abs(v.Length - word.Length) <= 1 && v.Length >= 5 && OneEdit(word, v)) return true;
        return false;
    }

    private static bool OneEdit(string a, string b)
    {
        if (a.Length > b.Length) (a, b) = (b, a);
        var i = 0;
        while (i < a.Length && a[i] == b[i]) i++;
        if (i == a.Length) return true;
        if (a.Length == b.Length) return a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1));
        return a.AsSpan(i).SequenceEqual(b.AsSpan(i + 1));
    }

    /// <summary>Words too common to show the utterance is about anything this bot knows.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "is", "are", "was", "be", "am", "i", "i'm", "me", "my", "you", "your", "it", "it's", "this", "that", "what",
        "what's", "how", "when", "where", "which", "who", "why", "do", "does", "did", "can", "could", "would", "will", "to", "of", "in",
        "on", "at", "for", "and", "or", "with", "about", "please", "there", "some", "any", "tell", "get", "want", "like", "need", "know",
        "we", "us", "our", "they", "them", "he", "she", "so", "just", "not", "no", "yes", "ok", "okay", "s", "up", "out", "from", "by",
    };

    /// <summary>Lower case, PII tokens reduced to their kind, punctuation to spaces; bounded length.</summary>
    public static string Normalize(string text)
    {
        var span = text.AsSpan();
        if (span.Length > 400) span = span[..400];
        var sb = new StringBuilder(span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '{' && i + 1 < span.Length && span[i + 1] == '{')
            {
                // {{kind:display:mac}} → kind
                var end = span[i..].IndexOf("}}");
                var colon = span[i..].IndexOf(':');
                if (end > 0 && colon > 2 && colon < end)
                {
                    sb.Append(' ').Append(span.Slice(i + 2, colon - 2)).Append(' ');
                    i += end + 1;
                    continue;
                }
            }
            if (char.IsLetterOrDigit(c) || c == '\'') sb.Append(char.ToLowerInvariant(c));
            else if (char.IsHighSurrogate(c) || char.IsLowSurrogate(c)) sb.Append(' ');
            else sb.Append(' ');
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Words(string normalized) =>
        normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('\'')).Where(w => w.Length > 1 && w.Any(char.IsLetter));

    public void Dispose()
    {
        while (_engines.TryDequeue(out var engine)) engine.Dispose();
    }

    private sealed class Utterance
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class Scored
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }
}

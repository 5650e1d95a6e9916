namespace Switchboard.Dialog.Nlu;

/// <summary>A sentence encoder: one vector per sentence (e.g. all-MiniLM-L6-v2, 384 dimensions). Must be thread-safe.</summary>
public interface ISentenceEmbedder
{
    float[][] Embed(string[] sentences);
}

/// <summary>
/// Intent by meaning: the customer's sentence against every example of every intent, by cosine similarity of their
/// sentence embeddings; the intent of the nearest example wins. A few examples per intent cover paraphrases, typos and
/// Indian English the word-based classifier has not seen. Costs one encoder call per prediction, so the engine asks it
/// only where the cheap classifier is unsure.
/// </summary>
public sealed class SemanticIntentMatcher
{
    /// <summary>Below this cosine similarity the nearest example does not count (measured on the held-out paraphrases).</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>Starting a flow by meaning alone takes more: "what's the weather in Delhi" is 0.5-close to a flight status question.</summary>
    public const float FlowThreshold = 0.6f;

    /// <summary>
    /// From this confidence the cheap classifier is sure and the encoder is not asked. Between the bot's threshold and
    /// this, the classifier's intent stands unless the encoder reads the sentence otherwise with its own confidence.
    /// </summary>
    public const double ClassifierSure = 0.5;

    /// <summary>
    /// Whether a reading by meaning counts: from <see cref="DefaultThreshold"/>, or <see cref="FlowThreshold"/> when it would
    /// start a flow. (Counting it from the lower threshold when the classifier's own weak guess agrees was tried and
    /// dropped: "what's the weather in Delhi" has the classifier guessing flight_status at 0.38 from the city alone.)
    /// </summary>
    public static bool Accepts(IntentPrediction meaning, bool startsFlow) =>
        meaning.Intent is not null && meaning.Confidence >= (startsFlow ? FlowThreshold : DefaultThreshold);

    private readonly ISentenceEmbedder _embedder;
    private readonly List<(float[] Vector, string Intent)> _examples = [];

    public SemanticIntentMatcher(ISentenceEmbedder embedder, IEnumerable<(string Text, string Intent)> examples)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        _embedder = embedder;
        var list = examples.ToList();
        var vectors = embedder.Embed(list.Select(e => e.Text).ToArray());
        for (var i = 0; i < list.Count; i++) _examples.Add((Unit(vectors[i]), list[i].Intent));
    }

    /// <summary>The nearest example's intent and its cosine similarity (0–1 for related sentences).</summary>
    public IntentPrediction Predict(string text)
    {
        var normalized = IntentClassifier.Normalize(text);
        // Emoji and punctuation alone embed close to short greetings: no words, no intent.
        if (!normalized.Any(char.IsLetter) || _examples.Count == 0) return new IntentPrediction(null, 0);
        var v = Unit(_embedder.Embed([normalized])[0]);
        var best = (Score: float.MinValue, Intent: (string?)null);
        foreach (var (vector, intent) in _examples)
        {
            var score = System.Numerics.Tensors.TensorPrimitives.Dot(v, vector);
            if (score > best.Score) best = (score, intent);
        }
        return new IntentPrediction(best.Intent, Math.Max(0, best.Score));
    }

    private static float[] Unit(float[] v)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        if (norm == 0) return v;
        var u = new float[v.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, u);
        return u;
    }
}

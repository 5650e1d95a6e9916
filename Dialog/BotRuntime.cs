using System.Text.RegularExpressions;
using Switchboard.Dialog.Definition;
using Switchboard.Dialog.Loading;
using Switchboard.Dialog.Nlu;

namespace Switchboard.Dialog;

/// <summary>A loaded bot ready to run: its definition, the intent classifier trained from its examples, its entity extractor.</summary>
public sealed class BotRuntime
{
    private readonly Regex? _avoid;

    /// <param name="embedder">A sentence encoder: when given, intents are also matched by meaning where the classifier is unsure.</param>
    public BotRuntime(BotDefinition definition, ISentenceEmbedder? embedder = null)
    {
        Definition = definition;
        var examples = definition.Intents.SelectMany(i => i.Examples.Select(e => (e, i.Name))).ToList();
        var synonyms = definition.Entities.Values.SelectMany(e => e.Values.SelectMany(v => v.Synonyms));
        Classifier = IntentClassifier.Train(examples, synonyms);
        Semantic = embedder is null ? null : new SemanticIntentMatcher(embedder, examples);
        Extractor = new EntityExtractor(definition);
        if (definition.Persona.Avoid.Count > 0)
            _avoid = new Regex(@"\b(?:" + string.Join('|', definition.Persona.Avoid.Keys.Select(Regex.Escape)) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    public BotDefinition Definition { get; }
    public IntentClassifier Classifier { get; }
    /// <summary>Intent by meaning (sentence embeddings); null when the host registered no encoder.</summary>
    public SemanticIntentMatcher? Semantic { get; }
    public EntityExtractor Extractor { get; }

    public static BotRuntime LoadFolder(string folder, ISentenceEmbedder? embedder = null) => new(BotLoader.LoadFolder(folder), embedder);

    /// <summary>Replaces words the persona avoids with the ones it uses.</summary>
    public string ApplyVocabulary(string text) =>
        _avoid is null ? text : _avoid.Replace(text, m => Definition.Persona.Avoid.TryGetValue(m.Value, out var use) ? use : m.Value);
}

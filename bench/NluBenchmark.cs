using System.Diagnostics;
using Switchboard.Dialog.Loading;
using Switchboard.Dialog.Nlu;

namespace Switchboard.Bench;

/// <summary>
/// Intent accuracy of the sample bots on examples the classifier did not train on: a fixed held-out split (every fifth
/// example of each intent) and 5-fold cross-validation. A refused or below-threshold prediction counts as wrong.
/// </summary>
public sealed class NluBenchmark : IBenchmark
{
    public string Name => "nlu";

    public string Description => "intent accuracy: held-out split, and held-out paraphrases with the cheap classifier vs the MiniLM encoder (target >= 95 % per bot)";

    public Task<int> RunAsync(string[] args)
    {
        var path = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? Path.Combine(AppContext.BaseDirectory, "bots");
        // --no-encoder: the classifier alone (the encoder takes ~0.5 s to load and a few ms per sentence).
        var withEncoder = !Options.Flag(args, "--no-encoder");
        double worstHeldOut = 1;
        var total = (Correct: 0, Count: 0);
        foreach (var folder in Directory.EnumerateDirectories(path).Order())
        {
            var bot = BotLoader.LoadFolder(folder);
            var synonyms = bot.Entities.Values.SelectMany(e => e.Values.SelectMany(v => v.Synonyms)).ToList();
            var examples = bot.Intents.SelectMany(i => i.Examples.Select((e, n) => (Text: e, Intent: i.Name, Index: n))).ToList();
            var threshold = bot.Settings.ConfidenceThreshold;

            (int Correct, int Count, List<string> Misses) Fold(int k)
            {
                var train = examples.Where(e => e.Index % 5 != k).Select(e => (e.Text, e.Intent)).ToList();
                var test = examples.Where(e => e.Index % 5 == k).ToList();
                using var classifier = IntentClassifier.Train(train, synonyms);
                var misses = new List<string>();
                var correct = 0;
                foreach (var t in test)
                {
                    var p = classifier.Predict(t.Text);
                    if (p.Intent == t.Intent && p.Confidence >= threshold) correct++;
                    else misses.Add($"'{t.Text}' ({t.Intent}) -> {p.Intent ?? "none"} {p.Confidence:F2}");
                }
                return (correct, test.Count, misses);
            }

            var sw = Stopwatch.StartNew();
            var held = Fold(2);
            var trainMs = sw.Elapsed.TotalMilliseconds;
            var folds = Enumerable.Range(0, 5).Select(Fold).ToList();
            var cv = folds.Sum(f => f.Correct) / (double)folds.Sum(f => f.Count);
            var acc = held.Correct / (double)held.Count;
            worstHeldOut = Math.Min(worstHeldOut, acc);
            total = (total.Correct + held.Correct, total.Count + held.Count);
            Console.WriteLine($"{bot.Name,-12} intents {bot.Intents.Count,2}  examples {examples.Count,3}  held-out {held.Correct}/{held.Count} = {acc:P1}  5-fold {cv:P1}  (train+test {trainMs:F0} ms)");
            foreach (var m in held.Misses) Console.WriteLine($"    miss {m}");
        }
        var overall = total.Correct / (double)total.Count;
        Console.WriteLine($"overall held-out accuracy {total.Correct}/{total.Count} = {overall:P1} (target >= 90 %)");
        var paraphrasesOk = withEncoder ? Paraphrases(path) : true;
        return Task.FromResult(overall >= 0.9 && paraphrasesOk ? 0 : 1);
    }

    /// <summary>
    /// The held-out paraphrases (<see cref="NluParaphrases"/>) against the shipped classifier (trained on every example),
    /// the encoder alone (nearest example), and both (the engine's rule: the encoder only where the classifier is unsure, see SemanticIntentMatcher.Accepts):
    /// accuracy and microseconds per utterance.
    /// </summary>
    private static bool Paraphrases(string path)
    {
        var sw = Stopwatch.StartNew();
        using var embedder = new MiniLmSentenceEmbedder();
        embedder.Embed(["warm up"]);
        Console.WriteLine();
        Console.WriteLine($"held-out paraphrases (encoder all-MiniLM-L6-v2 loaded in {sw.Elapsed.TotalMilliseconds:F0} ms)");
        var ok = true;
        foreach (var folder in Directory.EnumerateDirectories(path).Order())
        {
            var bot = BotLoader.LoadFolder(folder);
            if (!NluParaphrases.ByBot.TryGetValue(bot.Name, out var tests)) continue;
            var examples = bot.Intents.SelectMany(i => i.Examples.Select(e => (e, i.Name))).ToList();
            var synonyms = bot.Entities.Values.SelectMany(e => e.Values.SelectMany(v => v.Synonyms)).ToList();
            using var classifier = IntentClassifier.Train(examples, synonyms);
            var matcher = new SemanticIntentMatcher(embedder, examples);
            var threshold = bot.Settings.ConfidenceThreshold;

            IntentPrediction Cheap(string t) => classifier.Predict(t) is var p && p.Confidence >= threshold ? p : new IntentPrediction(null, p.Confidence);
            // The engine's rule: a flow's intent by meaning alone needs the higher threshold.
            bool StartsFlow(string? intent) => bot.Flows.Any(f => f.Intent == intent && !f.IsSideAction);
            IntentPrediction Encoder(string t) => matcher.Predict(t) is var p
                && SemanticIntentMatcher.Accepts(p, StartsFlow(p.Intent)) ? p : new IntentPrediction(null, p.Confidence);
            // The engine's rule (DialogStep): the classifier where it is sure; else the encoder when its reading counts;
            // else the classifier above the bot's threshold.
            IntentPrediction Both(string t)
            {
                var c = classifier.Predict(t);
                if (c.Intent is not null && c.Confidence >= Math.Max(threshold, SemanticIntentMatcher.ClassifierSure)) return c;
                var e = matcher.Predict(t);
                if (SemanticIntentMatcher.Accepts(e, StartsFlow(e.Intent))) return e;
                return c.Confidence >= threshold ? c : new IntentPrediction(null, c.Confidence);
            }

            foreach (var (name, predict) in new (string, Func<string, IntentPrediction>)[] { ("classifier", Cheap), ("encoder", Encoder), ("both", Both) })
            {
                foreach (var t in tests) predict(t.Text); // warm-up
                var misses = new List<string>();
                var start = Stopwatch.GetTimestamp();
                const int rounds = 5;
                for (var r = 0; r < rounds; r++)
                    foreach (var t in tests)
                    {
                        var p = predict(t.Text);
                        if (r == 0 && p.Intent != t.Intent)
                            misses.Add($"'{t.Text}' ({t.Intent}) -> {p.Intent ?? "none"} {p.Confidence:F2}  [classifier's guess {Guess(classifier.Predict(t.Text))}, nearest example {Guess(matcher.Predict(t.Text))}]");
                    }
                var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / (rounds * tests.Length);
                var correct = tests.Length - misses.Count;
                Console.WriteLine($"{bot.Name,-12} {name,-10} {correct,2}/{tests.Length} = {correct / (double)tests.Length:P1}  {us,8:F0} us/utterance");
                foreach (var m in misses) Console.WriteLine($"    miss {m}");
                if (name == "both" && correct < 0.95 * tests.Length) ok = false;
            }
        }
        return ok;
    }

    private static string Guess(IntentPrediction p) => $"{p.Intent ?? "none"} {p.Confidence:F2}";
}

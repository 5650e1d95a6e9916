using System.Diagnostics;
using Switchboard.Grains.Dialog.Loading;
using Switchboard.Grains.Dialog.Nlu;

namespace Switchboard.Bench;

/// <summary>
/// Intent accuracy of the sample bots on examples the classifier did not train on: a fixed held-out split (every fifth
/// example of each intent) and 5-fold cross-validation. A refused or below-threshold prediction counts as wrong.
/// </summary>
public sealed class NluBenchmark : IBenchmark
{
    public string Name => "nlu";

    public string Description => "intent accuracy of the sample bots on a held-out split (target >= 90 %)";

    public Task<int> RunAsync(string[] args)
    {
        var path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "bots");
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
        return Task.FromResult(overall >= 0.9 ? 0 : 1);
    }
}

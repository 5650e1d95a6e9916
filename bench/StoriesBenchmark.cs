using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Grains;
using Switchboard.Dialog;
using Switchboard.Grains.Dialog;
using Switchboard.Dialog.Stories;
using Switchboard.Grains.Dialog.Stories;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Plays every conversation story (<c>tests/Dialog.Tests/Stories</c>, or the folder given) through the real grains of one
/// in-process silo with both sample bots, and prints the pass rate per category, for the tuned and the held-out stories
/// separately. Options: <c>[folder] [--verbose]</c> (every failure, not only the first of each story) <c>[--encoder]</c> (semantic matching on).
/// </summary>
public sealed class StoriesBenchmark : IBenchmark
{
    public string Name => "stories";

    public string Description => "conversation stories through the real grains: pass rate per category, held-out apart (target >= 95 % held-out)";

    public async Task<int> RunAsync(string[] args)
    {
        var folder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? FindStories();
        var verbose = Options.Flag(args, "--verbose");
        // --encoder: intents also matched by meaning (all-MiniLM-L6-v2) where the cheap classifier is unsure.
        var encoder = Options.Flag(args, "--encoder");
        var stories = Story.LoadFolder(folder);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tenants:airline:Bot"] = "airline",
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:DisplayName"] = "SkyWays Airlines",
            ["Tenants:airline:VoiceNumber"] = "+15550100000",
            ["Tenants:autoservice:Bot"] = "autoservice",
            ["Tenants:autoservice:DisplayName"] = "Torque Auto Service",
            ["Tenants:autoservice:VoiceNumber"] = "+15550100001",
        });
        builder.Services.AddSwitchboardCore(builder.Configuration, new CustomerKeys(RandomNumberGenerator.GetBytes(32)));
        builder.Services.AddSingleton<DialogTrace>();
        builder.Services.AddSingleton<Switchboard.Grains.Journaling.IJournalStore, Switchboard.Grains.Journaling.MemoryJournalStore>(); // the identity grain journals its links
        if (encoder) builder.Services.AddSingleton<Switchboard.Dialog.Nlu.ISentenceEmbedder, Switchboard.Dialog.Nlu.MiniLmSentenceEmbedder>();
        builder.Services.AddDialogEngine(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort.Tcp(), FreePort.Tcp());
            silo.AddMemoryGrainStorage(StorageNames.Main);
            silo.AddMemoryGrainStorage("PubSubStore");
        });
        using var host = builder.Build();
        await host.StartAsync();
        var player = new StoryPlayer(host.Services.GetRequiredService<IGrainFactory>(), host.Services.GetRequiredService<DialogTrace>(),
            host.Services.GetRequiredService<DialogEngineProvider>(), VoiceRenderer.Speakable);

        var results = new List<(Story Story, List<string> Failures)>();
        var sw = Stopwatch.StartNew();
        foreach (var story in stories) results.Add((story, await player.Play(story)));
        var turns = stories.Sum(s => s.Turns.Count);
        Console.WriteLine($"{stories.Count} stories, {turns} turns in {sw.Elapsed.TotalSeconds:F1} s (from {folder}), encoder {(encoder ? "on" : "off")}");
        Console.WriteLine($"invented values (a slot holding what was never offered): {player.InventedValues} (target 0)");

        foreach (var part in new[] { false, true })
        {
            var set = results.Where(r => r.Story.HeldOut == part).ToList();
            if (set.Count == 0) continue;
            Console.WriteLine();
            Console.WriteLine(part ? "held-out stories (not tuned against)" : "tuned stories");
            foreach (var g in set.GroupBy(r => $"{r.Story.Tenant}/{r.Story.Category}").OrderBy(g => g.Key, StringComparer.Ordinal))
                Console.WriteLine($"  {g.Key,-34} {g.Count(r => r.Failures.Count == 0),3}/{g.Count(),-3} {Rate(g.Count(r => r.Failures.Count == 0), g.Count())}");
            var passed = set.Count(r => r.Failures.Count == 0);
            Console.WriteLine($"  {(part ? "held-out" : "tuned") + " total",-34} {passed,3}/{set.Count,-3} {Rate(passed, set.Count)}");
            foreach (var (story, failures) in set.Where(r => r.Failures.Count > 0))
                foreach (var f in verbose ? failures : failures.Take(1))
                    Console.WriteLine($"    FAIL {story.Source}: {f}");
        }
        await host.StopAsync();
        var heldOut = results.Where(r => r.Story.HeldOut).ToList();
        var heldRate = heldOut.Count == 0 ? 1 : heldOut.Count(r => r.Failures.Count == 0) / (double)heldOut.Count;
        return heldRate >= 0.95 ? 0 : 1;
    }

    private static string Rate(int passed, int count) => (passed / (double)count).ToString("P1", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The stories of the dialog tests, found from the working directory or the app's folder upwards.</summary>
    private static string FindStories()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "tests", "Dialog.Tests", "Stories");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException("tests/Dialog.Tests/Stories not found; pass the stories folder");
    }
}

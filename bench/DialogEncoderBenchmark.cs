using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Dialog;
using Switchboard.Dialog.Nlu;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Bench;

/// <summary>
/// The dialog engine alone (NLU + dialog step, no grain), the airline rebooking played in a loop by one caller, with and
/// without the MiniLM encoder, to show what semantic matching costs per turn. Two scripts: the plain one (every turn is
/// a slot value or a confident intent) and one where the customer paraphrases (one turn in six asks the encoder), the encoder
/// uncached (every paraphrase new) and cached as the engine registers it.
/// Options: <c>--seconds 3</c>.
/// </summary>
public sealed class DialogEncoderBenchmark : IBenchmark
{
    // The booking reference is remembered after the first rebooking, so each script names it up front to stay in step.
    private static readonly string[] Plain = ["I missed my connection, booking AB12CD", "Mumbai", "tomorrow", "4 pm", "yes"];
    private static readonly string[] Paraphrased = ["the first leg was late and I couldn't make the second, booking AB12CD", "Mumbai", "tomorrow", "the evening one", "yes", "thx a lot"];

    public string Name => "dialog-encoder";

    public string Description => "dialog engine turns/s with and without the MiniLM encoder (target: with >= 50 % of without)";

    public async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--seconds", 3);
        var bots = Path.Combine(AppContext.BaseDirectory, "bots", "airline");
        using var embedder = new MiniLmSentenceEmbedder();
        var counting = new CountingEmbedder(embedder);
        var without = BotRuntime.LoadFolder(bots);
        // Uncached: every paraphrase is new to the encoder (the worst case); cached: as the engine registers it (Bots:Encoder).
        var uncached = BotRuntime.LoadFolder(bots, counting);
        var cache = new CachingSentenceEmbedder(counting, 4096);
        var cached = BotRuntime.LoadFolder(bots, cache);
        var ok = true;
        foreach (var (scriptName, script) in new[] { ("plain", Plain), ("paraphrased", Paraphrased) })
        {
            await Run(without, script, 1); // warm-up (JIT, pooled prediction engines) so the first measured run is not penalised
            await Run(uncached, script, 1);
            await Run(cached, script, 1);
            var a = await Run(without, script, seconds);
            foreach (var (label, bot) in new[] { ("uncached", uncached), ("cached", cached) })
            {
                counting.Reset();
                var hits = cache.Hits;
                var b = await Run(bot, script, seconds);
                var ratio = b.PerSecond / a.PerSecond;
                var asked = counting.Sentences + (label == "cached" ? cache.Hits - hits : 0);
                Console.WriteLine($"{scriptName,-12} {label,-9} without encoder {a.PerSecond,9:N0} turns/s   with {b.PerSecond,9:N0} turns/s ({ratio:P0}); " +
                    $"encoder asked on {asked} of {b.Turns} turns ({asked / (double)Math.Max(1, b.Turns):P1}), ONNX passes {counting.Sentences} " +
                    $"({counting.Elapsed.TotalMilliseconds / Math.Max(1, counting.Sentences):N1} ms each, {counting.Elapsed.TotalSeconds / b.Seconds:P0} of the run)");
                if (label == "cached") ok &= ratio >= 0.5;
            }
        }
        return ok ? 0 : 1;
    }

    private static async Task<(double PerSecond, long Turns, double Seconds)> Run(BotRuntime bot, string[] script, int seconds)
    {
        var engine = new DialogEngine(bot, new DialogEngineSettings { VoiceNumber = "+15550100000" }, new DialogBackend(new HttpClient(), TimeProvider.System), NullLogger.Instance);
        var ephemeral = new EphemeralContext();
        var intent = new PersistentIntentContext();
        var system = new SystemMetadata { Verification = new VerificationStatus { Verified = true, Method = "booking-pin", Channel = Channel.WhatsApp, VerifiedAt = DateTimeOffset.UtcNow } };
        var data = new Dictionary<string, string>();
        long turns = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await engine.RespondAsync(new DialogTurn
            {
                Tenant = "airline", CustomerId = "c-bench", Channel = Channel.WhatsApp, Text = script[turns % script.Length], Now = DateTimeOffset.UtcNow,
                Ephemeral = ephemeral, Intent = intent, System = system, EngineData = data,
                IssueSessionToken = (_, _) => "token", IssueCallCode = _ => Task.FromResult("123456"),
            });
            turns++;
        }
        return (turns / sw.Elapsed.TotalSeconds, turns, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Counts the sentences that reach the ONNX model and the time spent there.</summary>
    private sealed class CountingEmbedder(ISentenceEmbedder inner) : ISentenceEmbedder
    {
        private long _ticks;
        public long Sentences;

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

        public void Reset()
        {
            Sentences = 0;
            _ticks = 0;
        }

        public float[][] Embed(string[] sentences)
        {
            Interlocked.Add(ref Sentences, sentences.Length);
            var start = Stopwatch.GetTimestamp();
            try { return inner.Embed(sentences); }
            finally { Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start); }
        }
    }
}

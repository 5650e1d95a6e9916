using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Dialog;
using Switchboard.Grains.Dialog.Nlu;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Bench;

/// <summary>
/// The dialog engine alone (NLU + dialog step, no grain), the airline rebooking played in a loop by one caller, with and
/// without the MiniLM encoder, to show what semantic matching costs per turn. Two scripts: the plain one (every turn is
/// a slot value or a confident intent) and one where the customer paraphrases (two turns in six ask the encoder).
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
        using var embedder = new MiniLmEmbedder();
        var counting = new CountingEmbedder(embedder);
        var without = BotRuntime.LoadFolder(bots);
        var with = BotRuntime.LoadFolder(bots, counting);
        var ok = true;
        foreach (var (scriptName, script) in new[] { ("plain", Plain), ("paraphrased", Paraphrased) })
        {
            await Run(without, script, 1); // warm-up (JIT, pooled prediction engines) so the first measured run is not penalised
            await Run(with, script, 1);
            var a = await Run(without, script, seconds);
            counting.Sentences = 0;
            var b = await Run(with, script, seconds);
            var ratio = b.PerSecond / a.PerSecond;
            Console.WriteLine($"{scriptName,-12} without encoder {a.PerSecond,8:N0} turns/s   with {b.PerSecond,8:N0} turns/s ({ratio:P0}); encoder asked on {counting.Sentences} of {b.Turns} turns ({counting.Sentences / (double)Math.Max(1, b.Turns):P1})");
            ok &= ratio >= 0.5;
        }
        return ok ? 0 : 1;
    }

    private static async Task<(double PerSecond, long Turns)> Run(BotRuntime bot, string[] script, int seconds)
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
            await engine.RespondAsync(new TurnContext
            {
                Tenant = "airline", CustomerId = "c-bench", Channel = Channel.WhatsApp, Text = script[turns % script.Length], Now = DateTimeOffset.UtcNow,
                Ephemeral = ephemeral, Intent = intent, System = system, EngineData = data,
                IssueSessionToken = (_, _) => "token", IssueCallCode = _ => Task.FromResult("123456"),
            });
            turns++;
        }
        return (turns / sw.Elapsed.TotalSeconds, turns);
    }

    private sealed class CountingEmbedder(ISentenceEmbedder inner) : ISentenceEmbedder
    {
        public long Sentences;

        public float[][] Embed(string[] sentences)
        {
            Interlocked.Add(ref Sentences, sentences.Length);
            return inner.Embed(sentences);
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Media;
using Switchboard.Speech;
using Switchboard.Speech.EspeakNg;
using Switchboard.Speech.PocketSphinx;
using Switchboard.Speech.TurnTaking;
using Switchboard.Grains.Dialog;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// The voice agent's numbers with the embedded engines (pocketsphinx, espeak-ng) and the real engine in process:
/// 1. end of the customer's speech → first agent audio frame ready for the pacer: the last speech frame, the
///    end-of-utterance wait, recognition, the engine turn through the grain, spoken wording, synthesis (prompt cache as on
///    a live call), G.711; p50/p99. The pacer sends it at its next tick (≤ 20 ms later).
/// 2. concurrent recognising calls in real time: N callers each feeding 20 ms frames at wall-clock pace into their own
///    listening turn; a step keeps up when the p99 lag of frame processing stays under 100 ms.
/// <c>dotnet run -c Release --project bench -- voice-agent [--turns 20] [--calls 5,10,20] [--seconds 4]</c>
/// </summary>
public sealed class VoiceAgentBenchmark : IBenchmark
{
    public string Name => "voice-agent";

    public string Description => "voice agent: end of speech → first agent audio (p50/p99), concurrent recognising calls held in real time";

    public async Task<int> RunAsync(string[] args)
    {
        var turns = Options.Int(args, "--turns", 20);
        var seconds = Options.Int(args, "--seconds", 4);
        var steps = Options.String(args, "--calls", "5,10,20").Split(',').Select(int.Parse).ToArray();
        using var recognizer = new PocketSphinxSpeechToText(new PocketSphinxOptions { WarmDecoders = 2, MaxDecoders = Math.Max(32, steps.Max()) }, NullLogger<PocketSphinxSpeechToText>.Instance);
        var tts = new EspeakNgTextToSpeech(new EspeakNgOptions(), NullLogger<EspeakNgTextToSpeech>.Instance);
        if (!recognizer.IsAvailable || !tts.IsAvailable)
        {
            Console.WriteLine($"speech engines unavailable: {recognizer.UnavailableReason ?? tts.UnavailableReason}");
            return 1;
        }
        recognizer.Warm();
        Console.WriteLine($"voice-agent benchmark: {Environment.ProcessorCount} cores, pocketsphinx + espeak-ng");
        await ResponseLatency(recognizer, tts, turns);
        await Capacity(recognizer, tts, steps, seconds);
        return 0;
    }

    private static async Task ResponseLatency(PocketSphinxSpeechToText recognizer, EspeakNgTextToSpeech tts, int turns)
    {
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sip:Enabled"] = "false",
            ["Tenants:airline:Bot"] = "airline",
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:DefaultRegion"] = "IN",
        });
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        var bots = app.App.Services.GetRequiredService<DialogEngineProvider>();
        var voice = BotVoiceGrain.ProfileOf(bots.BotOf("airline")!.Definition);
        var prompts = new TtsPromptAudio(tts, new SynthesizedPromptCache());
        var renderer = new SpokenReplyRenderer();
        var options = new TurnTakingOptions();
        var ingress = grains.GetGrain<IConversationIngressGrain>(0);
        var yes = Line(await tts.SynthesizeAllAsync("yes please", "en+f3"));
        var fromEndOfUtterance = new Percentiles();
        var fromLastWord = new Percentiles();
        for (var i = 0; i < turns + 2; i++)
        {
            // Each caller is asked to confirm a rebooking first (WhatsApp turns), then answers "yes please" on the phone.
            var number = $"91982{i:D7}";
            var address = new ChannelAddress(AddressKind.WhatsApp, number);
            TurnResult last = null!;
            foreach (var text in new[] { "I missed my connection", "2468", "AB12CD", "Mumbai", "tomorrow", "4 pm" })
                last = await ingress.Receive(new InboundTurn("airline", Channel.WhatsApp, address, $"b{i}.{text}", text, null, DateTimeOffset.UtcNow));
            var grammar = TurnGrammar.For(last.Reply, voice, DateOnly.FromDateTime(DateTime.UtcNow));
            var audio = new short[4000 + yes.Length + 16000];
            yes.CopyTo(audio, 4000);
            await using var listening = await ListeningTurn.StartAsync(recognizer, grammar, options);
            RecognitionResult? result = null;
            var decidedAtSample = 0;
            for (var f = 0; f + 160 <= audio.Length && result is null; f += 160)
            {
                var update = await listening.OnFrameAsync(audio.AsMemory(f, 160), promptPlaying: false);
                result = update.Result;
                decidedAtSample = f + 160;
            }
            // Frames are fed faster than real time here: the end-of-utterance wait is counted in audio time.
            var endOfUtteranceWait = (long)((decidedAtSample - (4000 + yes.Length)) / 8000.0 * Stopwatch.Frequency);
            var decided = Stopwatch.GetTimestamp();
            if (result?.Value is null) { Console.WriteLine("  (no match on a turn; skipped)"); continue; }
            var reply = await ingress.Receive(new InboundTurn("airline", Channel.Voice, new ChannelAddress(AddressKind.Phone, "+" + number), $"v{i}", result.Value, null, DateTimeOffset.UtcNow));
            var pcm = await prompts.Render8kHzAsync(renderer.Render(reply.Reply));
            var frame = new byte[160];
            G711.Encode(AudioCodec.Pcmu, pcm.AsSpan(0, 160), frame);
            var ready = Stopwatch.GetTimestamp();
            if (i < 2) continue; // warm-up
            fromEndOfUtterance.Add(ready - decided);
            fromLastWord.Add(ready - decided + Math.Max(0, endOfUtteranceWait));
        }
        Console.WriteLine($"end-of-utterance decision → first agent audio frame: {Ms(fromEndOfUtterance)}");
        Console.WriteLine($"end of the caller's audio (incl. the end-of-utterance wait, in audio time) → first agent audio frame: {Ms(fromLastWord)}");
    }

    private static async Task Capacity(PocketSphinxSpeechToText recognizer, EspeakNgTextToSpeech tts, int[] steps, int seconds)
    {
        var grammar = TurnGrammar.For(new EngineReply("Shall I confirm it?", ReplyStyle.Confirmation, [new("yes", "Yes"), new("no", "No")], Expect: new ReplyExpectation(ReplyExpectation.Confirm)), null, DateOnly.FromDateTime(DateTime.UtcNow));
        var speech = Line(await tts.SynthesizeAllAsync("no thank you"));
        // A caller talking most of the time: 1.2 s phrases with 0.8 s pauses, so the recogniser always has work.
        var pattern = new short[speech.Length + 6400];
        speech.CopyTo(pattern, 0);
        foreach (var n in steps)
        {
            recognizer.Warm(n);
            var lags = new List<double>[n];
            var recognised = 0;
            await Task.WhenAll(Enumerable.Range(0, n).Select(c => Task.Run(async () =>
            {
                var lag = lags[c] = [];
                var options = new TurnTakingOptions();
                ListeningTurn? listening = null;
                var start = Stopwatch.GetTimestamp();
                var frames = seconds * 50;
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
                for (var f = 0; f < frames; f++)
                {
                    await timer.WaitForNextTickAsync();
                    listening ??= await ListeningTurn.StartAsync(recognizer, grammar, options);
                    var offset = (f * 160 + c * 800) % (pattern.Length - 160);
                    var update = await listening.OnFrameAsync(pattern.AsMemory(offset, 160), promptPlaying: false);
                    if (update.IsFinished)
                    {
                        if (update.Result?.Value is not null) Interlocked.Increment(ref recognised);
                        await listening.DisposeAsync();
                        listening = null;
                    }
                    // How far behind the wall clock this caller's processing is.
                    var due = start + (long)((f + 1) * 0.02 * Stopwatch.Frequency);
                    lag.Add(Math.Max(0, Stopwatch.GetElapsedTime(due).TotalMilliseconds));
                }
                if (listening is not null) await listening.DisposeAsync();
            })));
            var all = lags.SelectMany(l => l).ToList();
            var p99 = VoiceAgentMetrics.Percentile(all, 99);
            Console.WriteLine($"{n,3} concurrent recognising calls: frame lag p50 {VoiceAgentMetrics.Percentile(all, 50):F1} ms, p99 {p99:F1} ms, {recognised} utterances recognised → {(p99 < 100 ? "keeps up in real time" : "falls behind")}");
        }
    }

    private static short[] Line(short[] pcm)
    {
        var encoded = new byte[pcm.Length];
        G711.Encode(AudioCodec.Pcmu, pcm, encoded);
        var decoded = new short[pcm.Length];
        G711.Decode(AudioCodec.Pcmu, encoded, decoded);
        return decoded;
    }

    private static string Ms(Percentiles p) => $"p50 {p.Micros(50) / 1000:F1} ms  p99 {p.Micros(99) / 1000:F1} ms  max {p.Micros(100) / 1000:F1} ms  (n={p.Count})";
}

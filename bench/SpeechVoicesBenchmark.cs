using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech;
using Switchboard.Speech.EspeakNg;
using Switchboard.Speech.Flite;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.LanguageModel;
using Switchboard.Speech.PocketSphinx;
using Switchboard.Speech.TurnTaking;
using Switchboard.Speech.Vad;

namespace Switchboard.Bench;

/// <summary>
/// Voices and listening, on telephone audio (8 kHz, µ-law round trip): for each voice, its synthesis latency and its
/// intelligibility as the recogniser's accuracy on its audio (grammar turns; open turns with pocketsphinx's generic
/// language model and with the bot's domain trigram model), and end of speech in fluctuating noise with the energy
/// detector alone and with Silero VAD. The peer of each figure is measured in the same run.
/// Options: <c>--voices espeak:en-us,flite:kal,flite:kal16,flite:awb,flite:slt,flite:rms</c>, <c>--sentences N</c>
/// (open-turn sentences per voice, default 24), <c>--generic-voices N</c> (voices also decoded with the generic model,
/// which is slow; default 2), <c>--bot airline</c>, <c>--lambdas 0.8</c> (domain weights of the interpolated open-turn model,
/// comma-separated; <c>none</c> skips it), <c>--lw 5,8</c> and <c>--wip 0.65,0.2</c> (language weights and word insertion
/// penalties of the interpolated search at the first λ, each pair of the two lists on its own recogniser beside the
/// default one; the option left out keeps pocketsphinx's default), <c>--skip-noise</c> (leave out the end-of-speech-in-noise part).
/// </summary>
public sealed class SpeechVoicesBenchmark : IBenchmark
{
    public string Name => "speech-voices";

    public string Description => "voices: synthesis latency, intelligibility (grammar + open-turn WER, generic vs domain LM), Silero vs energy end of speech in noise";

    public async Task<int> RunAsync(string[] args)
    {
        var voices = Arg(args, "--voices", "espeak:en-us,flite:kal,flite:kal16,flite:awb,flite:slt,flite:rms").Split(',');
        var sentenceCount = int.Parse(Arg(args, "--sentences", "24"));
        var genericVoices = int.Parse(Arg(args, "--generic-voices", "2"));
        var bot = Arg(args, "--bot", "airline");
        var lambdas = Arg(args, "--lambdas", "0.8") is "none" ? [] : Arg(args, "--lambdas", "0.8").Split(',').Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        static double[] Numbers(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture))];
        double?[] languageWeights = Array.IndexOf(args, "--lw") >= 0 ? [.. Numbers(Arg(args, "--lw", "")).Select(x => (double?)x)] : [null];
        double?[] insertionPenalties = Array.IndexOf(args, "--wip") >= 0 ? [.. Numbers(Arg(args, "--wip", "")).Select(x => (double?)x)] : [null];
        var sweepPairs = Array.IndexOf(args, "--lw") < 0 && Array.IndexOf(args, "--wip") < 0 ? []
            : languageWeights.SelectMany(lw => insertionPenalties.Select(wip => (Lw: lw, Wip: wip))).ToList();

        var espeak = new EspeakNgTextToSpeech(new EspeakNgOptions(), NullLogger<EspeakNgTextToSpeech>.Instance);
        var flite = new FliteTextToSpeech(NullLogger<FliteTextToSpeech>.Instance);
        using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxDecoders = 4 }, NullLogger<PocketSphinxSpeechToText>.Instance);
        using var silero = new SileroVad(NullLogger<SileroVad>.Instance);
        if (!stt.IsAvailable || !espeak.IsAvailable || !flite.IsAvailable) { Console.WriteLine("speech engines unavailable"); return 1; }
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {Environment.ProcessorCount} cores; Silero VAD {(silero.IsAvailable ? "loaded" : "MISSING: " + silero.UnavailableReason)}");

        // The bot's own phrases: its intent examples (what BotVoiceProfile.MenuPhrases carries), every 6th held out.
        var examples = IntentExamples(Path.Combine(RepoRoot(), "bots", bot, "intents.yaml"))
            .Where(e => SpokenText.Words(e).All(stt.Dictionary.Contains)).Distinct().ToList();
        var heldOut = examples.Where((_, i) => i % 6 == 3).ToList();
        var training = examples.Except(heldOut).ToList();
        var sw = Stopwatch.StartNew();
        var lm = DomainLanguageModel.Build(training, stt.Dictionary.Contains);
        Console.WriteLine($"domain trigram model of bot '{bot}': {lm.Sentences} phrases, {lm.Vocabulary.Count} words, built in {sw.ElapsedMilliseconds} ms; held out {heldOut.Count}");
        var domain = lm.ToGrammar("open-domain");
        var generic = stt.GenericOpenTurn();
        var interpolated = lambdas.Select(l => (Lambda: l, Grammar: stt.OpenTurn(lm, "open-interpolated", l))).ToList();
        // Each (-lw, -wip) pair on its own recogniser (the setting is per recogniser); the default one above is the peer.
        var sweepLambda = lambdas.Length > 0 ? lambdas[0] : InterpolatedLanguageModel.DefaultDomainWeight;
        var sweep = sweepPairs.Select(p =>
        {
            var recogniser = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxDecoders = 1, OpenTurnLanguageWeight = p.Lw, OpenTurnInsertionPenalty = p.Wip },
                NullLogger<PocketSphinxSpeechToText>.Instance);
            var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"lw {p.Lw?.ToString() ?? "6.5"} wip {p.Wip?.ToString() ?? "0.65"}");
            return (Name: name, Stt: recogniser, Grammar: recogniser.OpenTurn(lm, "open-interpolated", sweepLambda));
        }).ToList();
        using var disposeSweep = new SweepRecognisers([.. sweep.Select(s => s.Stt)]);
        if (sweep.Count > 0) Console.WriteLine($"sweep at lambda {sweepLambda}: " + string.Join(", ", sweep.Select(s => s.Name)));

        // Cost of the interpolated model on a decoder: the first utterance reads the generic model (once per decoder) and
        // builds the set; a second weight builds one more set on the same generic model. Process memory (RSS) around each,
        // then the generic model's own search for comparison.
        var probe = Line(new short[8000]);
        await RecogniseAsync(stt, domain, probe); // loads the decoder and the domain model first, so they are not counted below
        foreach (var (lambda, grammar) in interpolated)
        {
            var rss = RssMegabytes();
            var started = Stopwatch.GetTimestamp();
            await RecogniseAsync(stt, grammar, probe);
            Console.WriteLine($"first interpolated utterance (lambda {lambda}) on a decoder: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms, RSS +{RssMegabytes() - rss:F1} MB; generic model reads so far: {stt.GenericModelLoads.Total.TotalMilliseconds:F0} ms over {stt.GenericModelLoads.Reads} read(s); decoders loaded {stt.LoadedDecoders}");
        }
        if (interpolated.Count > 0)
        {
            var rss = RssMegabytes();
            var started = Stopwatch.GetTimestamp();
            await RecogniseAsync(stt, generic, probe);
            Console.WriteLine($"first generic-model utterance on the same decoder (ps_set_lm_file, the peer): {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms, RSS +{RssMegabytes() - rss:F1} MB; decoders loaded {stt.LoadedDecoders}");
        }
        var seen = Spread(training, sentenceCount / 2);
        var unseen = Spread(heldOut, sentenceCount - sentenceCount / 2);

        Console.WriteLine();
        Console.WriteLine("| voice | synthesis first audio p50 (ms) | real-time factor | grammar turns right | open turns, generic LM: WER / phrases right | open turns, domain LM: WER / phrases right (seen + held out) | held out only: WER / right |"
            + string.Concat(interpolated.Select(i => $" interpolated {i.Lambda}: WER / right | held out only |"))
            + string.Concat(sweep.Select(s => $" {s.Name}: WER / right | held out only |")));
        Console.WriteLine("|---|---|---|---|---|---|---|" + string.Concat(interpolated.Select(_ => "---|---|")) + string.Concat(sweep.Select(_ => "---|---|")));
        var v = 0;
        var totals = new Dictionary<string, Score>();
        var grammarTotals = (Right: 0, Total: 0);
        var decodeSeconds = new Dictionary<string, double>();
        var openAudioSeconds = 0.0;
        async Task<string> Timed(string model, SpeechGrammar grammar, short[] audio, ISpeechToText? recogniser = null)
        {
            var started = Stopwatch.GetTimestamp();
            var text = (await RecogniseAsync(recogniser ?? stt, grammar, audio)).Text;
            decodeSeconds[model] = decodeSeconds.GetValueOrDefault(model) + Stopwatch.GetElapsedTime(started).TotalSeconds;
            return text;
        }
        void Total(string model, string said, string heard)
        {
            if (!totals.TryGetValue(model, out var score)) totals[model] = score = new Score();
            score.Add(said, heard);
        }
        foreach (var spec in voices)
        {
            var (engine, voice) = (spec.Split(':')[0], spec.Split(':')[1]);
            ITextToSpeech tts = engine == "flite" ? flite : espeak;
            var first = new List<double>();
            double audioSeconds = 0, synthSeconds = 0;
            async Task<short[]> Say(string text)
            {
                var start = Stopwatch.GetTimestamp();
                var all = new List<short>();
                await foreach (var chunk in tts.SynthesizeAsync(text, voice))
                {
                    if (all.Count == 0) first.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    all.AddRange(chunk);
                }
                synthSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                audioSeconds += all.Count / 8000.0;
                return Line([.. all]);
            }

            int grammarRight = 0, grammarTotal = 0;
            foreach (var (grammar, answers) in SpeechBenchmark.Turns)
                foreach (var (said, value) in answers)
                {
                    grammarTotal++;
                    if ((await RecogniseAsync(stt, grammar, await Say(said))).Value == value) grammarRight++;
                }

            var domainScore = new Score();
            var heldScore = new Score();
            var genericScore = new Score();
            var interpolatedScores = interpolated.Select(_ => (All: new Score(), Held: new Score())).ToList();
            var sweepScores = sweep.Select(_ => (All: new Score(), Held: new Score())).ToList();
            foreach (var (sentence, isHeldOut) in seen.Select(s => (s, false)).Concat(unseen.Select(s => (s, true))))
            {
                var audio = await Say(sentence);
                openAudioSeconds += audio.Length / 8000.0;
                var heard = await Timed("domain", domain, audio);
                domainScore.Add(sentence, heard);
                Total("domain", sentence, heard);
                if (isHeldOut) { heldScore.Add(sentence, heard); Total("domain held out", sentence, heard); }
                for (var i = 0; i < interpolated.Count; i++)
                {
                    var name = $"interpolated {interpolated[i].Lambda}";
                    var mixed = await Timed(name, interpolated[i].Grammar, audio);
                    interpolatedScores[i].All.Add(sentence, mixed);
                    Total(name, sentence, mixed);
                    if (isHeldOut) { interpolatedScores[i].Held.Add(sentence, mixed); Total(name + " held out", sentence, mixed); }
                    else Total(name + " seen", sentence, mixed);
                }
                for (var i = 0; i < sweep.Count; i++)
                {
                    var heardSweep = await Timed(sweep[i].Name, sweep[i].Grammar, audio, sweep[i].Stt);
                    sweepScores[i].All.Add(sentence, heardSweep);
                    Total(sweep[i].Name, sentence, heardSweep);
                    if (isHeldOut) { sweepScores[i].Held.Add(sentence, heardSweep); Total(sweep[i].Name + " held out", sentence, heardSweep); }
                    else Total(sweep[i].Name + " seen", sentence, heardSweep);
                }
                if (v < genericVoices)
                {
                    var g = await Timed("generic", generic, audio);
                    genericScore.Add(sentence, g);
                    Total("generic", sentence, g);
                }
            }
            grammarTotals = (grammarTotals.Right + grammarRight, grammarTotals.Total + grammarTotal);
            first.Sort();
            Console.WriteLine($"| {engine} {voice} | {first[first.Count / 2]:F1} | {synthSeconds / audioSeconds:F3} | {grammarRight}/{grammarTotal} | {(v < genericVoices ? genericScore.ToString() : "not run")} | {domainScore} | {heldScore} |"
                + string.Concat(interpolatedScores.Select(s => $" {s.All} | {s.Held} |"))
                + string.Concat(sweepScores.Select(s => $" {s.All} | {s.Held} |")));
            v++;
        }

        Console.WriteLine();
        Console.WriteLine($"all voices: grammar turns {grammarTotals.Right}/{grammarTotals.Total}");
        foreach (var (model, score) in totals) Console.WriteLine($"  {model,-28}: {score} ({score.Percent:F0} %)");
        Console.WriteLine($"  open-turn audio: {openAudioSeconds:F1} s per model (generic: {openAudioSeconds * Math.Min(genericVoices, voices.Length) / voices.Length:F1} s)");
        foreach (var (model, seconds) in decodeSeconds) Console.WriteLine($"  decode time {model,-20}: {seconds:F1} s in all");
        Console.WriteLine($"generic model reads: {stt.GenericModelLoads.Total.TotalMilliseconds:F0} ms over {stt.GenericModelLoads.Reads} read(s); decoders loaded {stt.LoadedDecoders}; RSS {RssMegabytes():F0} MB");
        Console.WriteLine();
        if (Array.IndexOf(args, "--skip-noise") < 0) await EndOfSpeechInNoiseAsync(stt, silero, espeak, flite);
        return 0;
    }

    /// <summary>
    /// Customers answering over fluctuating line noise (white noise whose level swings by 15 dB every few hundred ms,
    /// like a street or a café), loud enough that the energy detector takes it for speech: how many turns end within
    /// 1.5 s of the last word, and how soon after it, with energy alone and with Silero VAD.
    /// </summary>
    private static async Task EndOfSpeechInNoiseAsync(PocketSphinxSpeechToText stt, SileroVad silero, EspeakNgTextToSpeech espeak, FliteTextToSpeech flite)
    {
        var options = new TurnTakingOptions();
        var grammar = SpeechBenchmark.Turns[1].Grammar;
        var results = new Dictionary<string, (int Ended, int Total, List<double> AfterLastWord)>();
        foreach (var (said, _) in SpeechBenchmark.Turns.SelectMany(t => t.Answers))
            foreach (var (tts, voice) in new (ITextToSpeech, string)[] { (espeak, "en-us"), (flite, "rms"), (flite, "slt") })
            {
                var speech = await tts.SynthesizeAllAsync(said, voice);
                var lead = 4000;
                var line = new short[lead + speech.Length + 8000 * 4];
                var noise = FluctuatingNoise(line.Length, said.GetHashCode());
                for (var i = 0; i < line.Length; i++)
                    line[i] = (short)Math.Clamp(noise[i] + (i >= lead && i < lead + speech.Length ? speech[i - lead] : 0), short.MinValue, short.MaxValue);
                line = Line(line);
                var lastWordFrame = (lead + speech.Length) / 160;
                foreach (var (name, vad) in new[] { ("energy", (SileroVad?)null), ("energy + Silero", silero) })
                {
                    await using var turn = await ListeningTurn.StartAsync(stt, grammar, options, default, vad);
                    var frame = 0;
                    var endedAt = -1;
                    for (var o = 0; o + 160 <= line.Length; o += 160, frame++)
                    {
                        var u = await turn.OnFrameAsync(line.AsMemory(o, 160), promptPlaying: false);
                        if (u.Event is UtteranceEvent.EndOfUtterance) { endedAt = frame; break; }
                        if (u.IsFinished) break;
                    }
                    var r = results.TryGetValue(name, out var known) ? known : (Ended: 0, Total: 0, AfterLastWord: new List<double>());
                    var ended = endedAt >= 0 && endedAt - lastWordFrame <= 75;
                    if (ended) r.AfterLastWord.Add((endedAt - lastWordFrame) * 20);
                    results[name] = (r.Ended + (ended ? 1 : 0), r.Total + 1, r.AfterLastWord);
                }
            }
        Console.WriteLine("end of speech in fluctuating noise (-38 to -23 dBFS), answers by espeak-ng en-us, flite rms, flite slt:");
        foreach (var (name, (ended, total, after)) in results)
        {
            after.Sort();
            Console.WriteLine($"  {name,-16}: {ended}/{total} turns ended within 1.5 s of the last word{(after.Count > 0 ? $", p50 {after[after.Count / 2]:F0} ms after it" : "")}");
        }
    }

    private static short[] FluctuatingNoise(int samples, int seed)
    {
        var random = new Random(seed);
        var noise = new short[samples];
        var level = -30.0;
        for (var i = 0; i < samples; i++)
        {
            if (i % 2400 == 0) level = -38 + random.NextDouble() * 15;
            var amplitude = 32768 * Math.Pow(10, level / 20) * Math.Sqrt(3);
            noise[i] = (short)((random.NextDouble() * 2 - 1) * amplitude);
        }
        return noise;
    }

    private static async Task<RecognitionResult> RecogniseAsync(ISpeechToText stt, SpeechGrammar grammar, short[] audio)
    {
        await using var stream = await stt.BeginUtteranceAsync(grammar);
        for (var o = 0; o + 160 <= audio.Length; o += 160) await stream.FeedAsync(audio.AsMemory(o, 160));
        return await stream.EndAsync();
    }

    private sealed class SweepRecognisers(PocketSphinxSpeechToText[] recognisers) : IDisposable
    {
        public void Dispose() { foreach (var r in recognisers) r.Dispose(); }
    }

    /// <summary>Word error rate and whole phrases right, over sentences.</summary>
    private sealed class Score
    {
        private int _errors, _words, _right, _count;

        public void Add(string said, string heard)
        {
            var reference = SpokenText.Words(said);
            var hypothesis = SpokenText.Words(heard);
            var d = new int[reference.Count + 1, hypothesis.Count + 1];
            for (var i = 0; i <= reference.Count; i++) d[i, 0] = i;
            for (var j = 0; j <= hypothesis.Count; j++) d[0, j] = j;
            for (var i = 1; i <= reference.Count; i++)
                for (var j = 1; j <= hypothesis.Count; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1));
            _errors += d[reference.Count, hypothesis.Count];
            _words += reference.Count;
            _count++;
            if (d[reference.Count, hypothesis.Count] == 0) _right++;
        }

        public double Percent => _count == 0 ? 0 : 100.0 * _right / _count;

        public override string ToString() => _count == 0 ? "-" : $"{100.0 * _errors / _words:F0} % / {_right}/{_count}";
    }

    /// <summary>The list entries under each intent's <c>examples:</c> in an intents.yaml.</summary>
    private static IEnumerable<string> IntentExamples(string path)
    {
        var inExamples = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Trim() == "examples:") { inExamples = true; continue; }
            var m = Regex.Match(line, @"^\s+-\s+(?!name:)(.+)$");
            if (inExamples && m.Success) yield return m.Groups[1].Value.Trim().Trim('"', '\'');
            else if (line.TrimStart().StartsWith("- name:", StringComparison.Ordinal) || (line.Length > 0 && !char.IsWhiteSpace(line[0]))) inExamples = false;
        }
    }

    private static List<string> Spread(List<string> items, int n) =>
        n >= items.Count ? items : [.. Enumerable.Range(0, n).Select(i => items[i * items.Count / n])];

    /// <summary>300 ms of silence either side, through a µ-law round trip (what the engine decodes off RTP).</summary>
    private static short[] Line(short[] pcm)
    {
        short[] padded = [.. new short[2400], .. pcm, .. new short[2400]];
        var encoded = new byte[padded.Length];
        Switchboard.Telephony.Codecs.G711.Encode(Switchboard.Telephony.Codecs.AudioCodec.Pcmu, padded, encoded);
        var decoded = new short[padded.Length];
        Switchboard.Telephony.Codecs.G711.Decode(Switchboard.Telephony.Codecs.AudioCodec.Pcmu, encoded, decoded);
        return decoded;
    }

    private static double RssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return 0;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "bots"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("bots/ not found above the benchmark");
    }

    private static string Arg(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

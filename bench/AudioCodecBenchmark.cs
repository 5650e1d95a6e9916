using System.Diagnostics;
using NAudio.Codecs;
using NAudio.Dsp;
using Switchboard.Telephony.Codecs;
using Switchboard.Speech.Audio;

namespace Switchboard.Bench;

/// <summary>
/// The hand-written audio code against NAudio.Core 3.3.0 on the hot paths, in the same run: G.711 per 20 ms frame
/// (our lookup tables vs NAudio's per-sample codec functions), whether the two agree code for code, and resampling
/// synthesised speech to 8 kHz (the former hand-written windowed-sinc resampler vs NAudio's WdlResampler, which the
/// engine's StreamingResampler now wraps).
/// Options: <c>--seconds S</c> per measurement (default 2).
/// </summary>
public sealed class AudioCodecBenchmark : IBenchmark
{
    public string Name => "audio-codecs";

    public string Description => "G.711 and resampling: hand-written vs NAudio.Core (ns per 20 ms frame, agreement, resampling speed)";

    public Task<int> RunAsync(string[] args)
    {
        var seconds = Array.IndexOf(args, "--seconds") is var i and >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1]) : 2;
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {Environment.ProcessorCount} cores");

        var random = new Random(3);
        var pcm = new short[160 * 500];
        for (var k = 0; k < pcm.Length; k++) pcm[k] = (short)(8000 * Math.Sin(k * 0.07) + random.Next(-2000, 2000));
        var encoded = new byte[160];
        var decoded = new short[160];

        // Agreement: every 16-bit input and every code.
        int muEncodeDiff = 0, aEncodeDiff = 0, muDecodeDiff = 0, aDecodeDiff = 0, muEncodeFar = 0;
        for (var v = short.MinValue; ; v++)
        {
            var ours = G711.EncodeMuLaw(v);
            var theirs = MuLawEncoder.LinearToMuLawSample(v);
            if (ours != theirs) { muEncodeDiff++; if (Math.Abs(G711.DecodeMuLaw(ours) - G711.DecodeMuLaw(theirs)) > 2 * Math.Abs(G711.DecodeMuLaw(ours) - v) + 8) muEncodeFar++; }
            if (G711.EncodeALaw(v) != ALawEncoder.LinearToALawSample(v)) aEncodeDiff++;
            if (v == short.MaxValue) break;
        }
        for (var c = 0; c < 256; c++)
        {
            if (G711.DecodeMuLaw((byte)c) != MuLawDecoder.MuLawToLinearSample((byte)c)) muDecodeDiff++;
            if (G711.DecodeALaw((byte)c) != ALawDecoder.ALawToLinearSample((byte)c)) aDecodeDiff++;
        }
        Console.WriteLine($"agreement with NAudio: µ-law decode {256 - muDecodeDiff}/256, A-law decode {256 - aDecodeDiff}/256; µ-law encode {65536 - muEncodeDiff}/65536, A-law encode {65536 - aEncodeDiff}/65536 (ours rounds to nearest like sox; NAudio truncates)");

        var frames = pcm.Length / 160;
        double Measure(Action<int> frame)
        {
            for (var w = 0; w < frames * 20; w++) frame(w % frames); // warm up
            var n = 0L;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds) { frame((int)(n % frames)); n++; }
            return sw.Elapsed.TotalNanoseconds / n;
        }
        var oursEncode = Measure(f => G711.Encode(AudioCodec.Pcmu, pcm.AsSpan(f * 160, 160), encoded));
        var naudioEncode = Measure(f => { for (var k = 0; k < 160; k++) encoded[k] = MuLawEncoder.LinearToMuLawSample(pcm[f * 160 + k]); });
        var oursDecode = Measure(f => G711.Decode(AudioCodec.Pcmu, encoded, decoded));
        var naudioDecode = Measure(_ => { for (var k = 0; k < 160; k++) decoded[k] = MuLawDecoder.MuLawToLinearSample(encoded[k]); });
        Console.WriteLine($"µ-law encode, 160 samples: ours (table) {oursEncode:F0} ns, NAudio {naudioEncode:F0} ns → NAudio takes {naudioEncode / oursEncode:F1}× ours");
        Console.WriteLine($"µ-law decode, 160 samples: ours (table) {oursDecode:F0} ns, NAudio {naudioDecode:F0} ns → NAudio takes {naudioDecode / oursDecode:F1}× ours");

        // Resampling: 10 s of 22050 Hz (espeak-ng) and 16 kHz (flite's statistical voices) to 8 kHz.
        foreach (var rate in new[] { 22050, 16000 })
        {
            var input = new short[rate * 10];
            for (var k = 0; k < input.Length; k++) input[k] = (short)(6000 * Math.Sin(2 * Math.PI * 440 * k / rate) + 3000 * Math.Sin(2 * Math.PI * 3000 * k / rate));
            var output = new List<short>(80_000);
            var oursMs = Time(() =>
            {
                output.Clear();
                var r = new HandWrittenResampler(rate, 8000);
                r.Process(input, output);
                r.Flush(output);
            }, seconds);
            var oursCount = output.Count;
            var theirs = new float[90_000];
            var theirsCount = 0;
            var naudioMs = Time(() => theirsCount = WdlResample(input, rate, theirs), seconds);
            Console.WriteLine($"resample 10 s {rate} Hz → 8 kHz: ours {oursMs:F2} ms ({oursCount} samples), NAudio WdlResampler {naudioMs:F2} ms ({theirsCount} samples) → NAudio takes {naudioMs / oursMs:F2}× ours; 3 kHz tone level ours {Level(output.ToArray(), 3000):F1} dB, NAudio {Level([.. theirs.Take(theirsCount).Select(f => (short)Math.Clamp(f * 32768, short.MinValue, short.MaxValue))], 3000):F1} dB");
        }
        return Task.FromResult(0);
    }

    private static int WdlResample(short[] input, int rate, float[] output)
    {
        var r = new WdlResampler();
        r.SetMode(true, 2, true, 64, 32); // the engine's settings (StreamingResampler)
        r.SetFilterParms(0.95f, 0.707f);
        r.SetFeedMode(true);
        r.SetRates(rate, 8000);
        var produced = 0;
        for (var offset = 0; offset < input.Length;)
        {
            var n = Math.Min(4410, input.Length - offset);
            Span<float> inBuffer = default;
            var needed = Math.Min(r.ResamplePrepare(n, 1, out inBuffer), input.Length - offset);
            for (var k = 0; k < needed; k++) inBuffer[k] = input[offset + k] / 32768f;
            produced += r.ResampleOut(output.AsSpan(produced), needed, Math.Min(output.Length - produced, needed * 8000 / rate + 16), 1);
            offset += needed;
        }
        return produced;
    }

    private static double Time(Action run, double seconds)
    {
        run();
        var n = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || n < 3) { run(); n++; }
        return sw.Elapsed.TotalMilliseconds / n;
    }

    /// <summary>Level of one frequency in the middle second (Goertzel), dB re full scale.</summary>
    private static double Level(short[] pcm, double hz)
    {
        var part = pcm.AsSpan(pcm.Length / 2 - 4000, 8000);
        var c = 2 * Math.Cos(2 * Math.PI * hz / 8000);
        double s1 = 0, s2 = 0;
        foreach (var x in part) { var s = x + c * s1 - s2; s2 = s1; s1 = s; }
        var power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return 10 * Math.Log10(Math.Max(1e-12, 4 * power / ((double)part.Length * part.Length * 32768 * 32768)));
    }
}

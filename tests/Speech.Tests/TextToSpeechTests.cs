using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech;
using Switchboard.Speech.Audio;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

[Collection(SpeechEnginesCollection.Name)]
public sealed class TextToSpeechTests(SpeechEngines engines, ITestOutputHelper output)
{
    private const string Prompt = "I see we were verifying the four PM flight to Mumbai on your WhatsApp chat.";

    [Fact]
    public async Task Espeak_speaks_at_8_kHz_with_the_duration_of_its_native_22_kHz_output()
    {
        var audio = await engines.Espeak.SynthesizeAllAsync(Prompt);
        var native = await RunToWavSamples("espeak-ng", ["-v", "en-us", "-s", "160", "--stdout", Prompt]);
        // The command line adds a trailing pause; compare the spoken span (first to last loud sample).
        var ours = SpokenSpan(audio) / 8000.0;
        var theirs = SpokenSpan(native.Audio) / (double)native.Rate;
        output.WriteLine($"espeak-ng: spoken span {ours:F3} s from {audio.Length} samples at 8 kHz; CLI {theirs:F3} s at {native.Rate} Hz");
        Assert.Equal(22050, native.Rate);
        Assert.InRange(ours, theirs * 0.97, theirs * 1.03);
        Assert.True(TelephoneAudio.LevelDbfs(audio) > -30, "synthesised speech is too quiet");
    }

    [Fact]
    public async Task Flite_kal_speaks_natively_at_8_kHz()
    {
        Assert.True(engines.Flite.IsAvailable, engines.Flite.UnavailableReason);
        var audio = await engines.Flite.SynthesizeAllAsync(Prompt, "kal");
        var native = await RunToWavSamples("flite", ["-voice", "kal", "-t", Prompt, "-o", "/dev/stdout"]);
        Assert.Equal(8000, native.Rate);
        Assert.InRange(audio.Length, native.Audio.Length * 0.98, native.Audio.Length * 1.02);
        Assert.True(TelephoneAudio.LevelDbfs(audio) > -30);
    }

    [Fact]
    public async Task A_statistical_voice_speaks_a_voicemail_length_prompt_whole()
    {
        // Over 2^31 / 8000 samples at 16 kHz (about 16.8 s): a sample count times the rate must not overflow.
        var text = string.Join(' ', Enumerable.Repeat(Prompt, 6));
        var audio = await engines.Flite.SynthesizeAllAsync(text, "rms");
        var native = await RunToWavSamples("flite", ["-voice", "rms", "-t", text, "-o", "/dev/stdout"]);
        Assert.True(native.Audio.Length > 300_000, $"only {native.Audio.Length} samples: make the text longer");
        Assert.InRange(audio.Length, native.Audio.Length / 2 * 0.98, native.Audio.Length / 2 * 1.02);
    }

    [Theory]
    [InlineData("rms")]
    [InlineData("slt")]
    [InlineData("awb")]
    public async Task Flite_statistical_voices_speak_at_16_kHz_and_come_out_at_8_kHz_with_the_same_duration(string voice)
    {
        Assert.Equal("rms", engines.Flite.DefaultVoice);
        var audio = await engines.Flite.SynthesizeAllAsync(Prompt, voice);
        var native = await RunToWavSamples("flite", ["-voice", voice, "-t", Prompt, "-o", "/dev/stdout"]);
        Assert.Equal(16000, native.Rate);
        Assert.InRange(audio.Length, native.Audio.Length / 2 * 0.98, native.Audio.Length / 2 * 1.02);
        Assert.True(TelephoneAudio.LevelDbfs(audio) > -30, "synthesised speech is too quiet");
        await Assert.ThrowsAsync<ArgumentException>(async () => await engines.Flite.SynthesizeAllAsync(Prompt, "no-such-voice"));
    }

    [Fact]
    public async Task Espeak_streams_a_long_prompt_in_several_chunks_and_stops_when_the_caller_stops()
    {
        var chunks = 0;
        await foreach (var chunk in engines.Espeak.SynthesizeAsync(Prompt + " " + Prompt))
        {
            Assert.NotEmpty(chunk);
            chunks++;
        }
        Assert.True(chunks >= 3, $"only {chunks} chunks");

        await foreach (var _ in engines.Espeak.SynthesizeAsync(Prompt + " " + Prompt)) break; // barge-in: abandon synthesis
        var after = await engines.Espeak.SynthesizeAllAsync("yes");
        Assert.NotEmpty(after);
    }

    [Fact]
    public async Task Unknown_voice_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await engines.Espeak.SynthesizeAllAsync("hello", "no-such-voice-zz"));
        Assert.Contains("no-such-voice-zz", e.Message);
        Assert.NotEmpty(await engines.Espeak.SynthesizeAllAsync("hello"));
    }

    [Fact]
    public async Task Prompts_are_synthesised_once_then_served_from_the_cache()
    {
        var cache = new SynthesizedPromptCache();
        var prompts = new TtsPromptAudio(engines.Espeak, cache);
        var first = await prompts.Render8kHzAsync("Your flight is confirmed.");
        var second = await prompts.Render8kHzAsync("Your flight is confirmed.");
        Assert.Same(first, second);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
        Assert.True(TelephoneAudio.LevelDbfs(first) > -30);

        var streamed = new List<short>();
        await foreach (var chunk in cache.StreamAsync(engines.Espeak, "Your flight is confirmed.")) streamed.AddRange(chunk);
        Assert.Equal(first, streamed);
        Assert.Equal(2, cache.Hits);
    }

    [Theory]
    [InlineData("Thank you. You chose Mumbai. One moment please!", new[] { "Thank you.", "You chose Mumbai.", "One moment please!" })]
    [InlineData("Sorry. I didn't catch that; say it again?", new[] { "Sorry. I didn't catch that;", "say it again?" })]
    [InlineData("The fare is 3.5 percent lower, e.g.this one.", new[] { "The fare is 3.5 percent lower, e.g.this one." })]
    [InlineData("Goodbye.", new[] { "Goodbye." })]
    [InlineData("Press 1. Or hold", new[] { "Press 1.", "Or hold" })]
    public void Prompts_split_into_sentences_with_one_word_fragments_joined(string text, string[] sentences)
    {
        Assert.Equal(sentences, TtsPromptAudio.Sentences(text));
    }

    [Fact]
    public async Task A_prompt_streams_sentence_by_sentence_each_cached_on_its_own()
    {
        var cache = new SynthesizedPromptCache();
        var prompts = new TtsPromptAudio(engines.Espeak, cache);
        var pieces = new List<short[]>();
        await foreach (var piece in prompts.StreamAsync("Your flight is confirmed. Your seat is twelve A.")) pieces.Add(piece);
        Assert.Equal(2, pieces.Count);
        Assert.Equal(2, cache.Misses);
        Assert.Same(pieces[0], await prompts.Render8kHzAsync("Your flight is confirmed.")); // the first sentence alone is cached
        Assert.Equal(1, cache.Hits);
        Assert.All(pieces, p => Assert.True(TelephoneAudio.LevelDbfs(p) > -30));
    }

    [Fact]
    public async Task The_cache_stays_within_its_budget_dropping_the_least_recently_used()
    {
        var a = await engines.Flite.SynthesizeAllAsync("alpha");
        var cache = new SynthesizedPromptCache(maxSamples: a.Length * 2 + 10);
        cache.Put(engines.Flite, "one", null, a);
        cache.Put(engines.Flite, "two", null, a);
        Assert.True(cache.TryGet(engines.Flite, "one", null, out _)); // "one" is now the most recent
        cache.Put(engines.Flite, "three", null, a);
        Assert.True(cache.Samples <= cache.MaxSamples);
        Assert.False(cache.TryGet(engines.Flite, "two", null, out _));
        Assert.True(cache.TryGet(engines.Flite, "one", null, out _));
        Assert.True(cache.TryGet(engines.Flite, "three", null, out _));
    }

    [Fact]
    public async Task Uncached_streaming_leaves_nothing_in_the_cache()
    {
        var cache = new SynthesizedPromptCache();
        await foreach (var _ in cache.StreamAsync(engines.Espeak, "Your code is 4 5 1 2.", cache: false)) { }
        Assert.Equal(0, cache.Count);
    }

    private static int SpokenSpan(short[] audio)
    {
        var first = Array.FindIndex(audio, s => Math.Abs((int)s) > 1000);
        var last = Array.FindLastIndex(audio, s => Math.Abs((int)s) > 1000);
        return first < 0 ? 0 : last - first + 1;
    }

    private static async Task<(int Rate, short[] Audio)> RunToWavSamples(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var ms = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(ms);
        await process.WaitForExitAsync();
        var wav = ms.ToArray();
        var rate = BitConverter.ToInt32(wav, 24);
        // Find the data chunk (flite and espeak write a plain 44-byte header, but do not rely on it).
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(wav, offset, 4);
            var size = BitConverter.ToInt32(wav, offset + 4);
            if (id == "data")
            {
                var bytes = Math.Min(size < 0 ? int.MaxValue : size, wav.Length - offset - 8) & ~1;
                var samples = new short[bytes / 2];
                Buffer.BlockCopy(wav, offset + 8, samples, 0, bytes);
                return (rate, samples);
            }
            offset += 8 + size;
        }
        throw new InvalidDataException($"{program} wrote no WAV data chunk");
    }
}

public sealed class AvailabilityTests
{
    [Fact]
    public void A_missing_native_library_is_reported_plainly_with_its_debian_package()
    {
        var reason = Switchboard.Speech.NativeLibraryProbe.MissingReason(("libdoes-not-exist-zz.so.9", "zz-package"));
        Assert.Equal("native library libdoes-not-exist-zz.so.9 is not installed (Debian package zz-package)", reason);
    }

    [Fact]
    public async Task A_missing_model_makes_recognition_unavailable_with_a_log_line_and_no_crash()
    {
        var logs = new Switchboard.TestSupport.CapturedLogs();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        using var stt = new Switchboard.Speech.PocketSphinx.PocketSphinxSpeechToText(
            new() { ModelDirectory = "/nonexistent/model" }, factory.CreateLogger<Switchboard.Speech.PocketSphinx.PocketSphinxSpeechToText>());
        Assert.False(stt.IsAvailable);
        Assert.Contains("/nonexistent/model", stt.UnavailableReason);
        Assert.Contains(logs.Lines, l => l.Contains("Speech recognition unavailable") && l.Contains("DTMF"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await stt.BeginUtteranceAsync(new Switchboard.Speech.Grammar.GrammarBuilder().YesNo().Build()));
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech;
using Switchboard.Speech.TurnTaking;
using Switchboard.Speech.Vad;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

/// <summary>
/// Silero VAD v5 on telephone audio, with the model the build copied out of the npm package: speech from both engines'
/// voices is speech; loud noise and a steady tone, which the energy detector takes for speech, are not.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class SileroVadTests(SpeechEngines engines, ITestOutputHelper output)
{
    private static readonly SileroVad Model = new(NullLogger<SileroVad>.Instance);

    private static double SpeechShare(short[] audio)
    {
        var stream = Model.OpenStream();
        var frames = TelephoneLine.Frames(TelephoneLine.MuLawRoundTrip(audio)).ToList();
        return frames.Count(f => stream.Process(f.Span)) / (double)frames.Count;
    }

    [Fact]
    public void The_model_is_copied_next_to_the_engine_by_the_build()
    {
        Assert.True(Model.IsAvailable, Model.UnavailableReason);
    }

    [Theory]
    [InlineData("espeak-ng", null)]
    [InlineData("flite", "rms")]
    [InlineData("flite", "slt")]
    public async Task Synthetic_speech_is_speech(string engine, string? voice)
    {
        ITextToSpeech tts = engine == "flite" ? engines.Flite : engines.Espeak;
        var speech = await tts.SynthesizeAllAsync("I would like to change my booking to the flight on Friday evening please", voice);
        var share = SpeechShare(speech);
        output.WriteLine($"{engine} {voice}: {share:P0} of frames speech");
        Assert.True(share > 0.6, $"{engine} {voice}: only {share:P0} of the frames were speech");
    }

    [Fact]
    public async Task In_fluctuating_noise_the_turn_ends_after_the_answer_with_silero_and_not_with_energy_alone()
    {
        var grammar = new Switchboard.Speech.Grammar.GrammarBuilder().Menu(["change my booking", "lost baggage"]).Build("menu");
        var speech = await engines.Flite.SynthesizeAllAsync("change my booking", "rms");
        // Street noise: white noise whose level jumps between -38 and -23 dBFS every 300 ms.
        var random = new Random(5);
        var line = new short[4000 + speech.Length + 8000 * 3];
        var level = -30.0;
        for (var i = 0; i < line.Length; i++)
        {
            if (i % 2400 == 0) level = -38 + random.NextDouble() * 15;
            var noise = (random.NextDouble() * 2 - 1) * 32768 * Math.Pow(10, level / 20) * Math.Sqrt(3);
            line[i] = (short)Math.Clamp(noise + (i >= 4000 && i < 4000 + speech.Length ? speech[i - 4000] : 0), short.MinValue, short.MaxValue);
        }
        line = TelephoneLine.MuLawRoundTrip(line);
        var lastWord = (4000 + speech.Length) / 160;
        async Task<(UtteranceEvent Event, int Frame, string? Value)> ListenAsync(SileroVad? vad)
        {
            await using var turn = await ListeningTurn.StartAsync(engines.Recognizer, grammar, new TurnTakingOptions(), default, vad);
            var frame = 0;
            foreach (var f in TelephoneLine.Frames(line))
            {
                var update = await turn.OnFrameAsync(f, promptPlaying: false);
                if (update.IsFinished) return (update.Event, frame, update.Result?.Value);
                frame++;
            }
            return (UtteranceEvent.None, frame, null);
        }
        var energy = await ListenAsync(null);
        var silero = await ListenAsync(Model);
        output.WriteLine($"energy: {energy}, silero: {silero}, last word at frame {lastWord}");
        Assert.Equal(UtteranceEvent.EndOfUtterance, silero.Event);
        Assert.InRange(silero.Frame, lastWord, lastWord + 75);
        Assert.Equal("change my booking", silero.Value);
        // The energy detector hears the noise as the customer still talking: no end within 1.5 s of the last word.
        Assert.False(energy.Event == UtteranceEvent.EndOfUtterance && energy.Frame <= lastWord + 75, energy.ToString());
    }

    [Fact]
    public void Loud_noise_and_a_tone_are_not_speech_though_energy_says_they_are()
    {
        var noise = SyntheticAudio.Noise(TimeSpan.FromSeconds(3), -25);
        var tone = Enumerable.Range(0, 24000).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 1000 * i / 8000))).ToArray();
        var energy = new VoiceActivityDetector(new TurnTakingOptions());
        Assert.True(TelephoneLine.Frames(tone).Take(20).All(f => energy.Process(f.Span).IsSpeech));
        output.WriteLine($"noise {SpeechShare(noise):P0}, tone {SpeechShare(tone):P0}");
        Assert.True(SpeechShare(noise) < 0.1);
        Assert.True(SpeechShare(tone) < 0.1);
    }
}

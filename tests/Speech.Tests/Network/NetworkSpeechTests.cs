using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NAudio.Wave;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.Network;

namespace Switchboard.Speech.Tests.Network;

/// <summary>
/// Speech servers in the customer's network (<c>Speech:Network</c>), against a local stand-in speaking the OpenAI audio
/// API, beside the real embedded engines (pocketsphinx, flite) they hand back to.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class NetworkSpeechTests(SpeechEngines engines) : IAsyncLifetime
{
    private static readonly SpeechGrammar Menu =
        new GrammarBuilder().Menu(["check flight status", "change my booking", "lost baggage", "speak to an agent"]).Build("main-menu");

    private OpenAiAudioStandIn _server = null!;

    public async Task InitializeAsync() => _server = await OpenAiAudioStandIn.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private NetworkSpeechOptions Options(double timeoutSeconds = 5) => new()
    {
        Endpoint = _server.Url + "/v1",
        SpeechToTextModel = "faster-whisper-small.en",
        TextToSpeechModel = "kokoro",
        Voice = "af_heart",
        RecognitionTimeoutSeconds = timeoutSeconds,
        SynthesisTimeoutSeconds = timeoutSeconds,
    };

    private NetworkSpeechToText Recognizer(NetworkSpeechOptions options) =>
        new(engines.Recognizer, NetworkAudioClients.SpeechToText(options), options, NullLogger.Instance);

    private NetworkTextToSpeech Synthesizer(NetworkSpeechOptions options) =>
        new(engines.Flite, NetworkAudioClients.TextToSpeech(options), options, NullLogger.Instance);

    private static async Task<RecognitionResult> Recognise(ISpeechToText recognizer, short[] audio)
    {
        await using var stream = await recognizer.BeginUtteranceAsync(Menu);
        foreach (var frame in TelephoneLine.Frames(audio)) await stream.FeedAsync(frame);
        return await stream.EndAsync();
    }

    private async Task<short[]> Caller(string text) =>
        TelephoneLine.MuLawRoundTrip(await engines.Flite.SynthesizeAllAsync(text, "slt"));

    [Fact]
    public async Task The_servers_transcript_answers_the_turn_through_its_grammar_and_it_gets_the_callers_audio_as_8_kHz_wav()
    {
        var audio = await Caller("change my booking");
        _server.Transcript = "Hi, I'd like to change my booking, please.";
        var recognizer = Recognizer(Options());

        var result = await Recognise(recognizer, audio);

        Assert.Equal("change my booking", result.Value);
        Assert.Equal(1, result.Confidence);
        Assert.Equal((1, 0), (recognizer.Answered, recognizer.FellBack));
        var (fields, file) = Assert.Single(_server.Transcriptions);
        Assert.Equal("faster-whisper-small.en", fields["model"]);
        Assert.Equal("en", fields["language"]);
        using var wav = new WaveFileReader(new MemoryStream(file));
        Assert.Equal((8000, 16, 1), (wav.WaveFormat.SampleRate, wav.WaveFormat.BitsPerSample, wav.WaveFormat.Channels));
        Assert.Equal(audio.Length, wav.SampleCount);
    }

    [Fact]
    public async Task A_transcript_the_grammar_cannot_read_is_no_match_not_a_guess()
    {
        _server.Transcript = "I want lost baggage or maybe speak to an agent";
        var result = await Recognise(Recognizer(Options()), await Caller("lost baggage"));
        Assert.True(result.IsNoMatch);
        Assert.Equal("i want lost baggage or maybe speak to an agent", result.Text);
    }

    [Theory]
    [InlineData(OpenAiAudioStandIn.Behaviour.Fail)]
    [InlineData(OpenAiAudioStandIn.Behaviour.Hold)]
    public async Task When_the_server_fails_or_does_not_answer_in_time_the_embedded_engine_answers(OpenAiAudioStandIn.Behaviour behaviour)
    {
        var audio = await Caller("lost baggage");
        var alone = await Recognise(engines.Recognizer, audio);
        Assert.Equal("lost baggage", alone.Value);
        _server.Mode = behaviour;
        _server.Transcript = "speak to an agent";
        var recognizer = Recognizer(Options(timeoutSeconds: 0.5));

        var result = await Recognise(recognizer, audio);

        Assert.Equal(alone.Value, result.Value);
        Assert.Equal(alone.Text, result.Text);
        Assert.Equal((0, 1), (recognizer.Answered, recognizer.FellBack));
        Assert.Single(_server.Transcriptions);
    }

    [Fact]
    public async Task The_servers_voice_is_played_at_telephone_rate_and_it_gets_the_text_voice_and_model()
    {
        _server.SpeechSeconds = 1.5;
        var tts = Synthesizer(Options());

        var audio = await tts.SynthesizeAllAsync("Your booking is confirmed.");

        // 1.5 s at 8 kHz, plus the resampler's flushed tail (under 10 ms).
        Assert.InRange(audio.Length, 12_000, 12_080);
        Assert.True(audio.Max(s => Math.Abs((int)s)) > 5_000, "the tone is there, not silence");
        Assert.Equal((1, 0), (tts.Answered, tts.FellBack));
        var request = Assert.Single(_server.SpeechRequests);
        Assert.Equal("Your booking is confirmed.", request.GetProperty("input").GetString());
        Assert.Equal("af_heart", request.GetProperty("voice").GetString());
        Assert.Equal("kokoro", request.GetProperty("model").GetString());
        Assert.Equal("wav", request.GetProperty("response_format").GetString());
    }

    [Theory]
    [InlineData(OpenAiAudioStandIn.Behaviour.Fail)]
    [InlineData(OpenAiAudioStandIn.Behaviour.Hold)]
    public async Task When_the_server_fails_or_is_slow_the_embedded_voice_speaks(OpenAiAudioStandIn.Behaviour behaviour)
    {
        _server.Mode = behaviour;
        var tts = Synthesizer(Options(timeoutSeconds: 0.5));

        var audio = await tts.SynthesizeAllAsync("Your booking is confirmed.");

        AssertSameSpeech(await engines.Flite.SynthesizeAllAsync("Your booking is confirmed."), audio);
        Assert.Equal((0, 1), (tts.Answered, tts.FellBack));
    }

    private const string Line = "Your booking is confirmed for the morning flight.";

    [Fact]
    public async Task A_persona_voice_goes_to_the_server_and_on_fallback_the_embedded_voice_speaks_it_only_if_it_has_it()
    {
        var tts = Synthesizer(Options(timeoutSeconds: 0.5));
        Assert.True(tts.HasVoice("af_bella"));

        await tts.SynthesizeAllAsync("Hello.", "af_bella");
        Assert.Equal("af_bella", Assert.Single(_server.SpeechRequests).GetProperty("voice").GetString());

        _server.Mode = OpenAiAudioStandIn.Behaviour.Fail;
        // A server voice means nothing to flite: its default voice speaks (before, flite refused the name mid-call).
        var rms = await engines.Flite.SynthesizeAllAsync(Line);
        var slt = await engines.Flite.SynthesizeAllAsync(Line, "slt");
        VoicePitch.AssertSameVoice(rms, await tts.SynthesizeAllAsync(Line, "af_bella"), other: slt);
        // A persona that names a flite voice keeps it when flite speaks.
        VoicePitch.AssertSameVoice(slt, await tts.SynthesizeAllAsync(Line, "slt"), other: rms);
        Assert.Equal((1, 2), (tts.Answered, tts.FellBack));
    }

    [Fact]
    public async Task Empty_audio_falls_back_and_bytes_that_are_not_wav_are_refused_clearly()
    {
        _server.SpeechSeconds = 0; // a valid WAV header with no samples
        var tts = Synthesizer(Options());
        AssertSameSpeech(await engines.Flite.SynthesizeAllAsync("Hello."), await tts.SynthesizeAllAsync("Hello."));
        Assert.Equal((0, 1), (tts.Answered, tts.FellBack));
        var e = Assert.Throws<FormatException>(() => TelephoneWav.DecodeToTelephone("not a wav file at all"u8.ToArray()));
        Assert.Contains("not a WAV file", e.Message);
    }

    [Fact]
    public void Configured_with_an_endpoint_and_models_the_engines_stand_in_front_of_the_embedded_ones_and_a_bad_endpoint_is_refused()
    {
        using (var host = Build(new()
               {
                   ["Speech:Network:Endpoint"] = _server.Url + "/v1",
                   ["Speech:Network:SpeechToTextModel"] = "faster-whisper-small.en",
                   ["Speech:Network:TextToSpeechModel"] = "kokoro",
               }))
        {
            var stt = Assert.IsType<NetworkSpeechToText>(host.Services.GetRequiredService<ISpeechToText>());
            Assert.Equal("pocketsphinx", stt.Embedded.Engine);
            var tts = Assert.IsType<NetworkTextToSpeech>(host.Services.GetRequiredService<ITextToSpeech>());
            Assert.Equal("flite", tts.Embedded.Engine);
        }
        using (var host = Build(new() { ["Speech:Network:Endpoint"] = _server.Url + "/v1", ["Speech:Network:TextToSpeechModel"] = "kokoro" }))
            Assert.Equal("pocketsphinx", host.Services.GetRequiredService<ISpeechToText>().Engine);
        var e = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Speech:Network:Endpoint"] = "speech.internal:8000" }));
        Assert.Contains("Speech:Network:Endpoint", e.Message);
    }

    [Theory]
    [InlineData("Change my booking.", "change my booking")]
    [InlineData("yes please, change my booking", "change my booking")]
    [InlineData("lost baggage and change my booking", null)]
    [InlineData("the weather is nice", null)]
    public void A_free_transcript_is_read_through_a_menu(string transcript, string? expected) =>
        Assert.Equal(expected, NetworkTranscript.Interpret(Menu, transcript));

    [Theory]
    [InlineData("4 2 7 1.", "4271")]
    [InlineData("four two seven one", "4271")]
    [InlineData("42", null)]
    [InlineData("call 4271", null)]
    public void Numerals_answer_a_digit_turn_within_its_length(string transcript, string? expected) =>
        Assert.Equal(expected, NetworkTranscript.Interpret(new GrammarBuilder().Digits(4, 6).Build("pin"), transcript));

    /// <summary>flite's voice, not the server's tone: flite's output differs by a sample here and there from run to run.</summary>
    private static void AssertSameSpeech(short[] flite, short[] actual)
    {
        Assert.InRange(actual.Length, flite.Length * 95 / 100, flite.Length * 105 / 100);
        Assert.True(actual.Max(s => Math.Abs((int)s)) > 1_000, "speech, not silence");
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSpeech();
        return builder.Build();
    }
}

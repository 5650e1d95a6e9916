using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Telephony.Media;
using Switchboard.Speech;
using Switchboard.Speech.TurnTaking;

namespace Switchboard.Speech.Tests;

public sealed class AddSpeechTests
{
    [Fact]
    public async Task Defaults_give_embedded_engines_and_spoken_prompts_at_8_kHz()
    {
        using var host = Build([]);
        var availability = host.Services.GetRequiredService<SpeechAvailability>();
        Assert.True(availability.CanRecognize, availability.RecognizerUnavailableReason);
        Assert.True(availability.CanSynthesize, availability.SynthesizerUnavailableReason);
        Assert.Equal("pocketsphinx", host.Services.GetRequiredService<ISpeechToText>().Engine);
        // The natural voice by default (flite's statistical rms), not the formant espeak-ng.
        var tts = host.Services.GetRequiredService<ITextToSpeech>();
        Assert.Equal(("flite", "rms"), (tts.Engine, tts.DefaultVoice));
        var prompts = host.Services.GetRequiredService<IPromptAudio>();
        Assert.IsType<TtsPromptAudio>(prompts);
        Assert.NotEmpty(await prompts.Render8kHzAsync("Welcome back."));
    }

    [Fact]
    public void Engines_configured_off_are_unavailable_and_recorded_prompts_stay()
    {
        using var host = Build(new() { ["Speech:Recognizer"] = "none", ["Speech:Synthesizer"] = "none", ["Speech:TurnTaking:EndSilence"] = "00:00:00.700" },
            services => services.AddSingleton<IPromptAudio, RecordedPrompts>());
        var availability = host.Services.GetRequiredService<SpeechAvailability>();
        Assert.False(availability.CanRecognize);
        Assert.Contains("Speech:Recognizer = none", availability.RecognizerUnavailableReason);
        Assert.False(availability.CanSynthesize);
        Assert.IsType<RecordedPrompts>(host.Services.GetRequiredService<IPromptAudio>());
        Assert.Equal(TimeSpan.FromMilliseconds(700), host.Services.GetRequiredService<TurnTakingOptions>().EndSilence);
    }

    [Fact]
    public void An_unknown_engine_name_fails_at_resolution_with_the_choices()
    {
        using var host = Build(new() { ["Speech:Synthesizer"] = "polly" });
        var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ITextToSpeech>());
        Assert.Contains("espeak-ng, flite, none", e.Message);
    }

    [Fact]
    public void The_persona_voice_is_configurable_and_a_voice_flite_lacks_fails_with_the_choices()
    {
        using var host = Build(new() { ["Speech:Flite:Voice"] = "slt" });
        Assert.Equal("slt", host.Services.GetRequiredService<ITextToSpeech>().DefaultVoice);
        using var bad = Build(new() { ["Speech:Flite:Voice"] = "hal9000" });
        var e = Assert.Throws<InvalidOperationException>(() => bad.Services.GetRequiredService<ITextToSpeech>());
        Assert.Contains("rms, slt, awb, kal16, kal", e.Message);
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.AddSpeech();
        return builder.Build();
    }

    private sealed class RecordedPrompts : IPromptAudio
    {
        public ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default) => ValueTask.FromResult(new short[160]);
    }
}

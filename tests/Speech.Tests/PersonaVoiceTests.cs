namespace Switchboard.Speech.Tests;

/// <summary>
/// A tenant's persona names the voice its calls speak in: prompts in that voice are that voice's own audio, cached
/// apart from the default voice's, and a voice the synthesiser lacks is refused up front instead of failing mid-call.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class PersonaVoiceTests(SpeechEngines engines)
{
    private const string Line = "Your flight is confirmed.";

    [Fact]
    public async Task Prompts_in_a_persona_voice_are_that_voice_and_are_cached_apart_from_the_default()
    {
        var cache = new SynthesizedPromptCache();
        var byDefault = new TtsPromptAudio(engines.Flite, cache);
        var slt = byDefault.InVoice("slt");

        Assert.NotNull(slt);
        var spoken = await slt.Render8kHzAsync(Line);
        var defaultVoice = await byDefault.Render8kHzAsync(Line);
        Assert.Equal("rms", engines.Flite.DefaultVoice);
        VoicePitch.AssertSameVoice(await engines.Flite.SynthesizeAllAsync(Line, "slt"), spoken, other: defaultVoice);
        Assert.Equal(2, cache.Count);
        Assert.Same(spoken, await slt.Render8kHzAsync(Line));
        var streamed = new List<short>();
        await foreach (var piece in slt.StreamAsync(Line)) streamed.AddRange(piece);
        Assert.Equal(spoken, streamed);
    }

    [Theory]
    [InlineData("hal9000")]
    [InlineData("en-us")] // an espeak-ng voice is not a flite one
    public void A_voice_flite_lacks_gives_no_prompts(string voice)
    {
        Assert.False(engines.Flite.HasVoice(voice));
        Assert.Null(new TtsPromptAudio(engines.Flite, new SynthesizedPromptCache()).InVoice(voice));
    }

    [Fact]
    public void Flite_voice_names_are_matched_in_any_case()
    {
        Assert.True(engines.Flite.HasVoice("SLT"));
        Assert.True(engines.Flite.HasVoice("kal16"));
    }

    [Fact]
    public async Task Espeak_knows_its_own_voices_and_asking_about_another_leaves_synthesis_unchanged()
    {
        var before = await engines.Espeak.SynthesizeAllAsync(Line);
        Assert.True(engines.Espeak.HasVoice("en-us"));
        Assert.False(engines.Espeak.HasVoice("slt"));
        var after = await engines.Espeak.SynthesizeAllAsync(Line);
        Assert.InRange(after.Length, before.Length * 98 / 100, before.Length * 102 / 100);
        Assert.True(Audio.TelephoneAudio.LevelDbfs(after) > -30, "speech, not silence");
    }

    [Fact]
    public void Recorded_prompts_have_no_other_voice()
    {
        Telephony.Media.IPromptAudio recorded = new Telephony.Media.WavPromptAudio(null, Microsoft.Extensions.Logging.Abstractions.NullLogger<Telephony.Media.WavPromptAudio>.Instance);
        Assert.Null(recorded.InVoice("slt"));
    }
}

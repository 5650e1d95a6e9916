using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Speech;
using Switchboard.TestSupport;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// Each tenant's persona chooses the voice its calls speak in (<c>persona.voice</c>). Copies of the shipped bots: the
/// airline's Maya names flite's <c>slt</c>, the auto service's Arjun a voice flite does not have. Real sipp calls.
/// </summary>
[Collection("sipp")]
public sealed class PersonaVoiceCallTests : IAsyncLifetime
{
    /// <summary>Both bots' recording notice, the first sentence every call speaks.</summary>
    private const string Notice = "This call may be recorded for quality and training.";

    private readonly TempDirectory _bots = new();
    private AgentEngine _engine = null!;

    public async Task InitializeAsync()
    {
        ShippedBots.CopyTo(_bots.Path);
        await NameVoice("airline", "Maya", "slt");
        await NameVoice("autoservice", "Arjun", "hal9000");
        _engine = await AgentEngine.StartAsync(new Dictionary<string, string?> { ["Bots:Path"] = _bots.Path });
    }

    private async Task NameVoice(string bot, string name, string voice)
    {
        var persona = Path.Combine(_bots.Path, bot, "persona.yaml");
        var text = await File.ReadAllTextAsync(persona);
        var named = text.Replace($"  name: {name}\n", $"  name: {name}\n  voice: {voice}\n", StringComparison.Ordinal);
        Assert.NotEqual(text, named);
        await File.WriteAllTextAsync(persona, named);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _bots.Dispose();
    }

    [Fact]
    public async Task A_call_speaks_in_its_tenants_persona_voice_and_an_unknown_voice_falls_back_to_the_default_with_an_error()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        var tts = _engine.App.App.Services.GetRequiredService<ITextToSpeech>();
        var cache = _engine.App.App.Services.GetRequiredService<SynthesizedPromptCache>();
        var voices = _engine.App.App.Services.GetRequiredService<TenantVoices>();
        Assert.Equal("rms", tts.DefaultVoice);

        // The airline's call: the notice is made in slt, and nothing in the engine's default voice.
        var airline = await new SippCall().Pause(TimeSpan.FromSeconds(5)).RunAsync(_engine.SipPort, "+919811100081");
        Assert.True(airline.ExitCode == 0, airline.ToString());
        Assert.True(await AgentEngine.EventuallyAsync(() => Task.FromResult(cache.TryGet(tts, Notice, "slt", out _))),
            "the notice was not spoken in slt\n" + _engine.VoiceLog);
        Assert.False(cache.TryGet(tts, Notice, null, out _), "the notice was spoken in the default voice too");
        Assert.Equal(0, voices.UnknownVoices);

        // The auto service names a voice flite lacks: its call still speaks, in the default voice, and the operator is told.
        var auto = await new SippCall().Pause(TimeSpan.FromSeconds(5)).RunAsync(_engine.SipPort, "+919811100082", service: "2000");
        Assert.True(auto.ExitCode == 0, auto.ToString());
        Assert.True(await AgentEngine.EventuallyAsync(() => Task.FromResult(cache.TryGet(tts, Notice, null, out _))),
            "the auto service's call spoke nothing in the default voice\n" + _engine.VoiceLog);
        Assert.Equal(1, voices.UnknownVoices);
        Assert.Single(_engine.App.Logs.Lines, l => l.Contains("hal9000", StringComparison.Ordinal) && l.Contains("autoservice", StringComparison.Ordinal));
    }
}

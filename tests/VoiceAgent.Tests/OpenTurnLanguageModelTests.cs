namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// <c>VoiceAgent:OpenTurns = language-model</c>: at the open menu the caller's words are recognised with the bot's
/// domain trigram model (not a list of phrases) and the engine's own understanding takes them from there.
/// </summary>
[Collection("sipp")]
public sealed class OpenTurnLanguageModelTests : IAsyncLifetime
{
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync(new Dictionary<string, string?> { ["VoiceAgent:OpenTurns"] = "language-model" });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Free_speech_at_the_menu_is_recognised_with_the_domain_model_and_starts_the_flow()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string caller = "+919811100011";
        var speech = await CustomerVoice.SayAsync("I missed my connecting flight");
        var call = new SippCall().Pause(TimeSpan.FromSeconds(2))
            .Play(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(300)).Audio(speech).Silence(TimeSpan.FromMilliseconds(1200)))
            .Pause(TimeSpan.FromSeconds(5));

        var result = await call.RunAsync(_engine.SipPort, caller);
        Assert.True(result.ExitCode == 0, result.ToString());

        var (heard, turns) = await _engine.TranscriptUntilAsync(caller, t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains("4-digit PIN", StringComparison.Ordinal));
        Assert.True(heard, "the rebooking did not start; transcript: " + string.Join(" | ", turns) + "\nlog:\n" + _engine.VoiceLog);
        Assert.Contains(turns, t => t.Channel == "voice" && t.Direction == "inbound" && t.Text.Equals("i missed my connecting flight", StringComparison.OrdinalIgnoreCase));
    }
}

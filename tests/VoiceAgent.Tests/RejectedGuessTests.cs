namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// With <c>Speech:PocketSphinx:RejectionMargin</c> on, speech the turn's grammar does not hold is a no-match on a real
/// call, so the agent asks again instead of acting on the grammar's nearest phrase.
/// </summary>
[Collection("sipp")]
public sealed class RejectedGuessTests : IAsyncLifetime
{
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync(new Dictionary<string, string?> { ["Speech:PocketSphinx:RejectionMargin"] = "25" });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Speech_outside_the_menu_is_not_acted_on_and_the_menu_is_asked_again()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string caller = "+919811100077";
        var offMenu = await CustomerVoice.SayAsync("the baby is crying");
        var pcap = new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(300)).Audio(offMenu).Silence(TimeSpan.FromMilliseconds(1200));
        var call = new SippCall().Pause(TimeSpan.FromSeconds(2)).Play(pcap).Pause(TimeSpan.FromSeconds(3));

        var result = await call.RunAsync(_engine.SipPort, caller);
        Assert.True(result.ExitCode == 0, result.ToString());

        var (asked, turns) = await _engine.TranscriptUntilAsync(caller, t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.StartsWith("Sorry, I didn't catch that.", StringComparison.Ordinal));
        Assert.True(asked, "no re-prompt; transcript: " + string.Join(" | ", turns));
        // Nothing the caller said reached the dialog: the only inbound voice turn is the call's start.
        Assert.DoesNotContain(turns, t => t.Channel == "voice" && t.Direction == "inbound" && !t.Text.StartsWith('['));
        Assert.True(_engine.Metrics.NoMatches >= 1, $"no-matches {_engine.Metrics.NoMatches}");
        Assert.Equal(0, _engine.Metrics.Recognised);
    }
}

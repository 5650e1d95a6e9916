namespace Switchboard.VoiceAgent.Tests;

/// <summary>A real sipp call speaking to the engine: recorded speech in RTP is recognised and reaches the transcript.</summary>
[Collection("sipp")]
public sealed class SpokenTurnTests : IAsyncLifetime
{
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_spoken_request_is_recognised_and_starts_the_flow()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string caller = "+919811100001";
        var speech = await CustomerVoice.SayAsync("rebook my flight");
        var pcap = new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(300)).Audio(speech).Silence(TimeSpan.FromMilliseconds(1200));
        // Then the identity check's PIN, keyed (the demo PIN), barging in on the question.
        var pin = new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(200)).Digits("2468#").Silence(TimeSpan.FromMilliseconds(200));
        var call = new SippCall().Pause(TimeSpan.FromSeconds(2)).Play(pcap).Pause(TimeSpan.FromSeconds(3)).Play(pin).Pause(TimeSpan.FromSeconds(3));

        var result = await call.RunAsync(_engine.SipPort, caller);
        Assert.True(result.ExitCode == 0, result.ToString());

        var (heard, turns) = await _engine.TranscriptUntilAsync(caller, t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains("booking reference"));
        Assert.True(heard, "the flow did not start or the keyed PIN was not taken; transcript: " + string.Join(" | ", turns));
        Assert.Contains(turns, t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains("4-digit PIN", StringComparison.Ordinal));
        Assert.DoesNotContain(turns, t => t.Text.Contains("2468", StringComparison.Ordinal)); // keyed secrets are tokenized too
        Assert.Contains(turns, t => t.Channel == "voice" && t.Direction == "inbound" && t.Text.Equals("rebook my flight", StringComparison.OrdinalIgnoreCase));
        Assert.True(_engine.Metrics.Recognised >= 1);
    }
}

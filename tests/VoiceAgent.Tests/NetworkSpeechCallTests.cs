using Switchboard.Speech.Tests.Network;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// A real sipp call to an engine whose listening goes to a speech server in the network (<c>Speech:Network</c>, a
/// stand-in speaking the OpenAI audio API): the server's transcript, not what pocketsphinx makes of the audio, is the
/// turn that reaches the customer's conversation.
/// </summary>
[Collection("sipp")]
public sealed class NetworkSpeechCallTests : IAsyncLifetime
{
    private OpenAiAudioStandIn _server = null!;
    private AgentEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _server = await OpenAiAudioStandIn.StartAsync();
        _engine = await AgentEngine.StartAsync(new Dictionary<string, string?>
        {
            ["Speech:Network:Endpoint"] = _server.Url + "/v1",
            ["Speech:Network:SpeechToTextModel"] = "faster-whisper-small.en",
            ["Speech:Network:RecognitionTimeoutSeconds"] = "10",
        });
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_servers_transcript_is_the_callers_turn()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string caller = "+919811100081";
        // The caller's audio says one thing; the server hears another: the turn must be the server's.
        _server.Transcript = "Rebook my flight.";
        var speech = await CustomerVoice.SayAsync("lost baggage");
        var pcap = new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(300)).Audio(speech).Silence(TimeSpan.FromMilliseconds(1200));
        var call = new SippCall().Pause(TimeSpan.FromSeconds(2)).Play(pcap).Pause(TimeSpan.FromSeconds(3));

        var result = await call.RunAsync(_engine.SipPort, caller);
        Assert.True(result.ExitCode == 0, result.ToString());

        var (heard, turns) = await _engine.TranscriptUntilAsync(caller, t => t.Channel == "voice" && t.Direction == "inbound" && t.Text.Contains("rebook", StringComparison.OrdinalIgnoreCase));
        Assert.True(heard, "the server's transcript did not reach the conversation; transcript: " + string.Join(" | ", turns));
        Assert.DoesNotContain(turns, t => t.Direction == "inbound" && t.Text.Contains("baggage", StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(_server.Transcriptions);
        var (fields, file) = _server.Transcriptions.First();
        Assert.Equal("faster-whisper-small.en", fields["model"]);
        Assert.True(file.Length > 44 + 2 * 8000, "the upload holds the caller's utterance as 8 kHz audio");
    }
}

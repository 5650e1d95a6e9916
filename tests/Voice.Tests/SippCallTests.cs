namespace Switchboard.Voice.Tests;

[CollectionDefinition("sipp", DisableParallelization = true)]
public sealed class SippCollection;

/// <summary>sipp against the real engine: calls, DTMF into the dialog, hang-ups, OPTIONS, hold, concurrency.</summary>
[Collection("sipp")]
public sealed class SippCallTests : IAsyncLifetime
{
    private VoiceEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await VoiceEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Call_with_rfc4733_dtmf_drives_a_voice_turn_with_the_digits()
    {
        var result = await Sipp.RunAsync("uac_call_dtmf.xml", _engine.SipPort, caller: "+919800000002");
        Assert.True(result.ExitCode == 0, result.ToString());

        string? customer = null;
        List<(string Channel, string Direction, string Text)> turns = [];
        var found = await VoiceEngine.EventuallyAsync(async () =>
        {
            customer ??= await _engine.ResolveAsync("voice", "+919800000002");
            if (customer is null) return false;
            turns = await _engine.TranscriptAsync(customer);
            return turns.Any(t => t.Channel == "voice" && t.Direction == "inbound" && t.Text.Contains("123"));
        });
        Assert.True(found, $"no voice turn with the digits; transcript: {string.Join(" | ", turns)}");
        var dtmf = turns.Single(t => t.Channel == "voice" && t.Direction == "inbound" && t.Text.Contains("123"));
        Assert.Equal("[dtmf 123]", dtmf.Text);
        // The greeting turn came first, and each inbound turn got a spoken reply.
        Assert.Equal(2, turns.Count(t => t.Channel == "voice" && t.Direction == "inbound"));
        Assert.Equal(2, turns.Count(t => t.Channel == "voice" && t.Direction == "outbound"));
    }
}

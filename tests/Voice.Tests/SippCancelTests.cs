namespace Switchboard.Voice.Tests;

/// <summary>CANCEL needs a server that rings before answering (Sip:AnswerDelayMs).</summary>
[Collection("sipp")]
public sealed class SippCancelTests : IAsyncLifetime
{
    private VoiceEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await VoiceEngine.StartAsync(new Dictionary<string, string?> { ["Sip:AnswerDelayMs"] = "1500" });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Cancel_before_answer_gets_200_then_487_and_no_call_remains()
    {
        var result = await Sipp.RunAsync("uac_cancel.xml", _engine.SipPort, caller: "+919800000007");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _engine.Signaling.Counters.Cancelled);
        Assert.Equal(0, _engine.Signaling.Counters.Answered);
        Assert.Equal(0, _engine.Calls.ActiveCalls);
    }
}

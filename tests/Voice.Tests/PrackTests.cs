namespace Switchboard.Voice.Tests;

/// <summary>Reliable provisional responses (RFC 3262) against sipp.</summary>
[Collection("sipp")]
public sealed class PrackTests
{
    [Fact]
    public async Task Ringing_is_sent_reliably_to_a_100rel_caller_and_its_prack_gets_200()
    {
        await using var engine = await VoiceEngine.StartAsync(new Dictionary<string, string?> { ["Sip:AnswerDelayMs"] = "1500" });
        var result = await Sipp.RunAsync("uac_prack.xml", engine.SipPort, caller: "+919800000013");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, engine.Signaling.Counters.Answered);
        Assert.Equal(1, engine.Signaling.Counters.RemoteHangups);
    }
}

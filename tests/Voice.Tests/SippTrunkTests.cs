namespace Switchboard.Voice.Tests;

/// <summary>Trunk security and the TCP transport, against sipp.</summary>
[Collection("sipp")]
public sealed class SippTrunkTests
{
    [Fact]
    public async Task Call_over_tcp_is_answered_and_ended()
    {
        await using var engine = await VoiceEngine.StartAsync();
        var result = await Sipp.RunAsync("uac_call_2s.xml", engine.SipPort, caller: "+919800000009", extraArgs: "-t t1");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, engine.Signaling.Counters.Answered);
        Assert.Equal(1, engine.Signaling.Counters.RemoteHangups);
    }

    [Fact]
    public async Task Unlisted_source_without_credentials_configured_gets_403()
    {
        await using var engine = await VoiceEngine.StartAsync(new Dictionary<string, string?> { ["Sip:AllowLoopback"] = "false" });
        var result = await Sipp.RunAsync("uac_options_forbidden.xml", engine.SipPort);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, engine.Signaling.Counters.Rejected);
    }

    [Fact]
    public async Task Unlisted_source_with_valid_digest_credentials_is_served()
    {
        await using var engine = await VoiceEngine.StartAsync(new Dictionary<string, string?>
        {
            ["Sip:AllowLoopback"] = "false",
            ["Sip:Credentials:0:Username"] = "sbc",
            ["Sip:Credentials:0:Password"] = "trunk-secret",
            ["Sip:DigestAlgorithms:0"] = "MD5", // sipp 3.6 computes MD5 digests only
        });
        var result = await Sipp.RunAsync("uac_options_auth.xml", engine.SipPort, extraArgs: "-au sbc -ap trunk-secret");
        Assert.True(result.ExitCode == 0, result.ToString());
        var wrong = await Sipp.RunAsync("uac_options_auth.xml", engine.SipPort, extraArgs: "-au sbc -ap wrong");
        Assert.NotEqual(0, wrong.ExitCode);
    }
}

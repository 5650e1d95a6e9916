using Switchboard.TestSupport;

namespace Switchboard.Voice.Tests;

/// <summary>Outbound calls (UAC) through the configured SBC: sipp's built-in UAS plays the SBC.</summary>
[Collection("sipp")]
public sealed class SippOutboundTests
{
    [Fact]
    public async Task Outbound_call_is_answered_by_the_sbc_and_hung_up_with_bye()
    {
        var sbcPort = FreePort.Udp();
        await using var engine = await VoiceEngine.StartAsync(new Dictionary<string, string?> { ["Sip:SbcAddress"] = $"127.0.0.1:{sbcPort}" });
        var dir = Directory.CreateTempSubdirectory("sipp-uas-");
        try
        {
            var sipp = Sipp.RunRawAsync(dir.FullName,
                $"-sn uas -i 127.0.0.1 -p {sbcPort} -mp {FreePort.Udp() & ~1} -m 1 -timeout 30s -timeout_error -trace_err -nostdin", TimeSpan.FromSeconds(45));
            var call = await engine.Calls.PlaceCallAsync("+919800000008").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(call.Answered, $"{call.Status} {call.Reason}");
            Assert.Equal(Switchboard.Channels.Voice.Calls.CallState.Established, engine.Signaling.StateOf(call.CallId));
            // The answered outbound call runs an engine turn for the callee.
            Assert.True(await VoiceEngine.EventuallyAsync(async () => await engine.ResolveAsync("voice", "+919800000008") is not null));
            Assert.True(await engine.Calls.HangUpAsync(call.CallId));
            var result = await sipp;
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            dir.Delete(true);
        }
    }
}

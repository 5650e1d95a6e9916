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
            Assert.Equal(Switchboard.Telephony.Dialogs.CallState.Established, engine.Signaling.StateOf(call.CallId));
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

    [Fact]
    public async Task Hanging_up_an_unanswered_outbound_call_sends_cancel_and_reports_487()
    {
        var sbcPort = FreePort.Udp();
        await using var engine = await VoiceEngine.StartAsync(new Dictionary<string, string?> { ["Sip:SbcAddress"] = $"127.0.0.1:{sbcPort}" });
        var dir = Directory.CreateTempSubdirectory("sipp-uas-");
        try
        {
            var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "sipp", "uas_ring_cancel.xml"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "uas_ring_cancel.xml"), text);
            var sipp = Sipp.RunRawAsync(dir.FullName,
                $"-sf uas_ring_cancel.xml -i 127.0.0.1 -p {sbcPort} -m 1 -timeout 30s -timeout_error -trace_err -nostdin", TimeSpan.FromSeconds(45));
            var placing = engine.Calls.PlaceCallAsync("+919800000013");
            string? callId = null;
            Assert.True(await VoiceEngine.EventuallyAsync(() =>
            {
                callId = engine.Calls.CallIds.FirstOrDefault();
                return Task.FromResult(callId is not null);
            }));
            Assert.True(await engine.Calls.HangUpAsync(callId!));
            var outcome = await placing.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(487, outcome.Status);
            Assert.False(outcome.Answered);
            var result = await sipp;
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(0, engine.Calls.ActiveCalls);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}

using System.Net.Http.Json;

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
        // Logs name customers and hashed call references, never the caller's number.
        Assert.DoesNotContain("9800000002", _engine.App.Logs.All);
    }

    [Fact]
    public async Task Caller_bye_ends_the_call_and_frees_its_media()
    {
        var result = await Sipp.RunAsync("uac_call_2s.xml", _engine.SipPort, caller: "+919800000003");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(_engine.Calls.ActiveCalls == 0)), "the call is still up after BYE");
        Assert.True(_engine.Signaling.Counters.RemoteHangups >= 1);
    }

    [Fact]
    public async Task Server_bye_ends_the_call()
    {
        var sipp = Sipp.RunAsync("uac_server_hangup.xml", _engine.SipPort, caller: "+919800000004");
        string? callId = null;
        Assert.True(await VoiceEngine.EventuallyAsync(() =>
        {
            callId = _engine.Calls.CallIds.FirstOrDefault(id => _engine.Signaling.StateOf(id) == Switchboard.Telephony.Dialogs.CallState.Established);
            return Task.FromResult(callId is not null || sipp.IsCompleted);
        }), "the call was never established");
        Assert.True(callId is not null, sipp.IsCompleted ? (await sipp).ToString() : "no call");
        Assert.True(await _engine.Calls.HangUpAsync(callId!));
        var result = await sipp;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(_engine.Signaling.StateOf(callId!));
    }

    [Fact]
    public async Task Options_ping_gets_200_with_allow_and_accept()
    {
        var result = await Sipp.RunAsync("uac_options.xml", _engine.SipPort);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Reinvite_puts_the_call_on_hold_and_resumes_it()
    {
        var before = _engine.Signaling.Counters.ReInvites;
        var result = await Sipp.RunAsync("uac_hold.xml", _engine.SipPort, caller: "+919800000005");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(before + 2, _engine.Signaling.Counters.ReInvites);
    }

    [Fact]
    public async Task Caller_who_is_a_whatsapp_customer_lands_on_the_same_customer()
    {
        var post = await _engine.App.Http.PostAsJsonAsync("api/turns",
            new { channel = "whatsapp", address = "919800000001", messageId = "wamid.voice-test-1", text = "hi" });
        post.EnsureSuccessStatusCode();
        var whatsappCustomer = (await post.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("customerId").GetString();

        var result = await Sipp.RunAsync("uac_call_dtmf.xml", _engine.SipPort, caller: "+919800000001");
        Assert.True(result.ExitCode == 0, result.ToString());

        Assert.Equal(whatsappCustomer, await _engine.ResolveAsync("voice", "+919800000001"));
        List<(string Channel, string Direction, string Text)> turns = [];
        Assert.True(await VoiceEngine.EventuallyAsync(async () =>
        {
            turns = await _engine.TranscriptAsync(whatsappCustomer!);
            return turns.Any(t => t.Channel == "voice" && t.Text == "[dtmf 123]");
        }), string.Join(" | ", turns));
        Assert.Contains(turns, t => t.Channel == "whatsapp" && t.Direction == "inbound");
    }

    [Fact]
    public async Task Fifty_concurrent_calls_are_all_answered_and_ended()
    {
        var answered = _engine.Signaling.Counters.Answered;
        var result = await Sipp.RunAsync("uac_call_2s.xml", _engine.SipPort, calls: 50, rate: 50, timeout: TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(answered + 50, _engine.Signaling.Counters.Answered);
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(_engine.Calls.ActiveCalls == 0)));
    }

    [Fact]
    public async Task Refer_transfers_the_caller_and_hangs_up_after_the_notify()
    {
        var sipp = Sipp.RunAsync("uac_refer.xml", _engine.SipPort, caller: "+919800000006");
        string? callId = null;
        Assert.True(await VoiceEngine.EventuallyAsync(() =>
        {
            callId = _engine.Calls.CallIds.FirstOrDefault(id => _engine.Signaling.StateOf(id) == Switchboard.Telephony.Dialogs.CallState.Established);
            return Task.FromResult(callId is not null || sipp.IsCompleted);
        }));
        Assert.True(callId is not null, sipp.IsCompleted ? (await sipp).ToString() : "no call");
        Assert.True(await _engine.Calls.TransferAsync(callId!, "sip:agent@127.0.0.1:5999"));
        var result = await sipp;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(_engine.Signaling.StateOf(callId!));
    }
}

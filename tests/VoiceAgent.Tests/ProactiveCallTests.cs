using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// Proactive calls through <c>POST /api/voice/calls</c>: the engine dials the customer through the SBC (sipp as UAS on
/// <c>Sip:SbcAddress</c>), opens with the reason for the call, then the engine's own reply, and the callee can answer by
/// voice. Bad input and missing consent are refused with problem+json before any INVITE leaves.
/// </summary>
[Collection("sipp")]
public sealed class ProactiveCallTests : IAsyncLifetime
{
    private const string Reason = "Hello, this is SkyWays Airlines calling about your flight to Mumbai tomorrow.";
    private readonly int _sbcPort = FreePort.Udp();
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync(new Dictionary<string, string?>
    {
        ["Sip:SbcAddress"] = $"127.0.0.1:{_sbcPort}",
    });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_proactive_call_opens_with_its_reason_then_the_engine_reply_and_hears_the_callee()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string number = "919811100004";
        var customer = await CustomerWithVoiceConsentAsync(number, "granted");

        // A person picks up and says "hello", waits for us to speak, then answers the agent (one recording: a second
        // pcap would restart the RTP sequence numbers).
        var callee = new SippCallee().Play(new RtpPcapWriter()
            .Silence(TimeSpan.FromMilliseconds(300)).Audio(await CustomerVoice.SayAsync("hello?")).Silence(TimeSpan.FromSeconds(3.2))
            .Audio(await CustomerVoice.SayAsync("rebook my flight")).Silence(TimeSpan.FromMilliseconds(1200)));
        var phone = callee.RunAsync(_sbcPort);

        var placed = await _engine.Http.PostAsJsonAsync("api/voice/calls", new { number = "+" + number, reason = Reason });
        Assert.True(placed.StatusCode == HttpStatusCode.OK, await placed.Content.ReadAsStringAsync());
        var call = await placed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(call.GetProperty("answered").GetBoolean(), call.GetRawText() + (phone.IsCompleted ? "\n" + await phone : ""));
        Assert.Equal(200, call.GetProperty("status").GetInt32());
        Assert.Equal(customer, call.GetProperty("customerId").GetString());
        Assert.Equal("human", call.GetProperty("answeredBy").GetString());
        var callId = call.GetProperty("callId").GetString()!;

        List<Turn> voice = [];
        var answered = await AgentEngine.EventuallyAsync(async () =>
        {
            voice = [.. (await _engine.TranscriptAsync(customer)).Where(t => t.Channel == "voice")];
            return voice.Any(t => t.Direction == "outbound" && t.Text.Contains("4-digit PIN", StringComparison.Ordinal));
        });
        Assert.True(answered, "the callee's answer was not heard; voice transcript: " + string.Join(" | ", voice) + "\nlog:\n" + _engine.VoiceLog);

        // What the callee heard, in order: the reason, the engine's greeting, then the reply to what they said (the
        // rebooking's identity check).
        var outbound = voice.Where(t => t.Direction == "outbound").ToList();
        Assert.Equal(Reason, outbound[0].Text);
        Assert.Contains("Maya from SkyWays Airlines", outbound[1].Text);
        Assert.DoesNotContain(Reason, outbound[1].Text);
        var heard = voice.FindIndex(t => t.Direction == "inbound" && t.Text.Equals("rebook my flight", StringComparison.OrdinalIgnoreCase));
        Assert.True(heard > voice.IndexOf(outbound[1]), string.Join(" | ", voice));
        Assert.Single(voice, t => t.Text.Contains(Reason, StringComparison.Ordinal));

        Assert.True(await _engine.Signaling.HangUpAsync(callId));
        var result = await phone;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"invite: sip:+{number}@127.0.0.1:{_sbcPort}", result.Logs);
        Assert.Contains("offer: m=audio", result.Logs);
        Assert.Equal(1, _engine.Signaling.Counters.OutboundAttempts);
        Assert.Equal(0, _engine.Metrics.Voicemails);
        Assert.DoesNotContain(_engine.App.Logs.Lines, l => l.Contains(number[2..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_answering_machine_gets_a_voicemail_with_a_call_back_number_and_call_code_not_the_dialog()
    {
        Assert.True(_engine.Handlers.Listens, _engine.Handlers.Reason);
        const string number = "919811100009";
        var customer = await CustomerWithVoiceConsentAsync(number, "granted");

        // The machine: its recorded greeting, a pause, the beep, then it records (silence) until the engine hangs up.
        var greeting = await CustomerVoice.SayAsync("Hi, you have reached the voicemail of Sam Carter. I can't take your call right now. Please leave a message after the tone.");
        var callee = new SippCallee().Play(new RtpPcapWriter()
            .Silence(TimeSpan.FromMilliseconds(300)).Audio(greeting).Silence(TimeSpan.FromMilliseconds(500))
            .Audio(await CustomerVoice.BeepAsync()).Silence(TimeSpan.FromSeconds(1)));
        var phone = callee.RunAsync(_sbcPort);

        var placed = await _engine.Http.PostAsJsonAsync("api/voice/calls", new { number = "+" + number, reason = Reason });
        Assert.True(placed.StatusCode == HttpStatusCode.OK, await placed.Content.ReadAsStringAsync());
        var call = await placed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(call.GetProperty("answered").GetBoolean(), call.GetRawText() + (phone.IsCompleted ? "\n" + await phone : ""));
        Assert.Equal("machine", call.GetProperty("answeredBy").GetString());

        // The engine leaves the message after the beep and hangs up by itself (sipp's scenario ends on the engine's BYE).
        var result = await phone;
        Assert.True(result.ExitCode == 0, result.ToString() + "\nlog:\n" + _engine.VoiceLog);
        List<Turn> voice = [];
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            voice = [.. (await _engine.TranscriptAsync(customer)).Where(t => t.Channel == "voice")];
            return voice.Count > 0;
        }), "no voicemail in the transcript");

        // One line, said to the machine: the reason, the number to call back (the tenant's), the call code; no dialog.
        var message = Assert.Single(voice).Text;
        Assert.Equal("outbound", voice[0].Direction);
        Assert.StartsWith(Reason, message);
        Assert.Contains("call us back on 1 5 5 5 0 1 0 0 0 0 0.", message);
        var code = System.Text.RegularExpressions.Regex.Match(message, "press star, then ((?:[0-9] ){5}[0-9])").Groups[1].Value.Replace(" ", "");
        Assert.Equal(6, code.Length);
        Assert.DoesNotContain(voice, t => t.Text.Contains("Maya from SkyWays Airlines", StringComparison.Ordinal));
        Assert.Equal(1, _engine.Metrics.Voicemails);
        Assert.Equal(0, _engine.Signaling.ActiveCalls);

        // The code in the message brings the customer back to this conversation when they call.
        var grains = _engine.App.App.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(customer, await grains.GetGrain<ICallCodeGrain>($"airline/{code}").Redeem());
        Assert.DoesNotContain(_engine.App.Logs.Lines, l => l.Contains(number[2..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_problem_json_and_place_no_call()
    {
        await _engine.WhatsAppAsync("919811100005", "hello");
        (object Body, string Query, HttpStatusCode Status, string Type)[] cases =
        [
            (new { reason = Reason }, "", HttpStatusCode.BadRequest, "missing-number"),
            (new { number = "", reason = Reason }, "", HttpStatusCode.BadRequest, "missing-number"),
            (new { number = "+91 98-not-a-number", reason = Reason }, "", HttpStatusCode.BadRequest, "invalid-number"),
            (new { number = "12", reason = Reason }, "", HttpStatusCode.BadRequest, "invalid-number"),
            (new { number = "+919811100005" }, "", HttpStatusCode.BadRequest, "missing-reason"),
            (new { number = "+919811100005", reason = Reason, purpose = "call-recording" }, "", HttpStatusCode.BadRequest, "unknown-purpose"),
            (new { number = "+919811100005", reason = Reason, purpose = "spam" }, "", HttpStatusCode.BadRequest, "unknown-purpose"),
            (new { number = "+919811100005", reason = Reason }, "?tenant=no-such-tenant", HttpStatusCode.NotFound, "unknown-tenant"),
            (new { number = "+919811100099", reason = Reason }, "", HttpStatusCode.NotFound, "unknown-customer"),
        ];
        foreach (var (body, query, status, type) in cases)
        {
            var r = await _engine.Http.PostAsJsonAsync("api/voice/calls" + query, body);
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == status, $"{JsonSerializer.Serialize(body)}{query}: {(int)r.StatusCode} {text}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.EndsWith("/" + type, JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
        }
        var notJson = await _engine.Http.PostAsync("api/voice/calls", new StringContent("number=+919811100005", System.Text.Encoding.UTF8, "text/plain"));
        Assert.True((int)notJson.StatusCode is 400 or 415, notJson.StatusCode.ToString());

        using var anonymous = new HttpClient { BaseAddress = _engine.App.BaseAddress };
        var unauthorized = await anonymous.PostAsJsonAsync("api/voice/calls", new { number = "+919811100005", reason = Reason });
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        Assert.Equal(0, _engine.Signaling.Counters.OutboundAttempts);
        Assert.Equal(0, _engine.Signaling.ActiveCalls);
    }

    [Fact]
    public async Task A_customer_without_voice_consent_for_the_purpose_is_not_called()
    {
        // Opted out of transactional calls.
        const string optedOut = "919811100006";
        await CustomerWithVoiceConsentAsync(optedOut, "revoked");
        await AssertRefusedAsync(new { number = "+" + optedOut, reason = Reason });
        await AssertRefusedAsync(new { number = "+" + optedOut, reason = Reason, purpose = "transactional" });

        // Agreed to service calls, never to marketing ones.
        const string serviceOnly = "919811100007";
        await CustomerWithVoiceConsentAsync(serviceOnly, "granted");
        await AssertRefusedAsync(new { number = "+" + serviceOnly, reason = "We have a new lounge offer for you.", purpose = "marketing" });

        // Wrote on WhatsApp only: that implies nothing about being phoned.
        const string chatOnly = "919811100008";
        await _engine.WhatsAppAsync(chatOnly, "hello");
        await AssertRefusedAsync(new { number = "+" + chatOnly, reason = Reason });

        Assert.Equal(0, _engine.Signaling.Counters.OutboundAttempts);
        Assert.Equal(0, _engine.Signaling.ActiveCalls);
    }

    private async Task AssertRefusedAsync(object body)
    {
        var r = await _engine.Http.PostAsJsonAsync("api/voice/calls", body);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"{JsonSerializer.Serialize(body)}: {(int)r.StatusCode} {text}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/consent-refused", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
    }

    /// <summary>A customer who wrote on WhatsApp, with a recorded decision on transactional voice calls.</summary>
    private async Task<string> CustomerWithVoiceConsentAsync(string number, string status)
    {
        var created = await _engine.WhatsAppAsync(number, "hello");
        var customer = created.GetProperty("customerId").GetString()!;
        var consent = await _engine.Http.PostAsJsonAsync($"api/customers/{customer}/consent", new
        {
            channel = "voice",
            purpose = "transactional",
            status,
            source = "booking-form",
            evidence = "checkbox 'call me about changes to my trip' on booking AB12CD",
        });
        Assert.True(consent.IsSuccessStatusCode, await consent.Content.ReadAsStringAsync());
        return customer;
    }
}

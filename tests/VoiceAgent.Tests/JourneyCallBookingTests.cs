using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.TestSupport;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// The seed's automotive journey (bots/autoservice/journeys/service-reminder.yaml, its waits shortened to a second) ends
/// in a proactive call placed through the engine's UAC: sipp is the customer's phone behind the SBC, says "hello?", and
/// keys the workshop slot and the confirmation by DTMF. The booking lands in the customer's context, the journey reaches
/// its goal, and the written confirmation is queued in the outbox.
/// </summary>
/// <remarks>
/// The customer had started booking the recall repair on WhatsApp before the journey enrolled them (car, work, workshop
/// and day chosen), so the call picks up at the time slot. sipp keys each digit only when the test tells it to, by a SIP
/// INFO in the call's dialog, sent once the engine has asked the question: no timed pauses decide the order.
/// </remarks>
[Collection("sipp")]
public sealed class JourneyCallBookingTests : IAsyncLifetime
{
    private const string WhatsAppNumberId = "109876543299"; // the autoservice tenant's WhatsApp endpoint (Silo/appsettings.json)
    private readonly int _sbcPort = FreePort.Udp();
    private readonly TempDirectory _bots = new();
    private AgentEngine _engine = null!;

    public async Task InitializeAsync()
    {
        // The shipped bots, with the journey's 48 h and 24 h waits shortened to a second, and tenant rules that let three
        // touches and a call happen within seconds at any hour (quiet hours, open hours and caps have their own tests).
        ShippedBots.CopyTo(_bots.Path);
        var journeys = Path.Combine(_bots.Path, "autoservice", "journeys");
        var shipped = await File.ReadAllTextAsync(Path.Combine(journeys, "service-reminder.yaml"));
        var fast = shipped.Replace("for: 48h", "for: 1s", StringComparison.Ordinal).Replace("for: 24h", "for: 1s", StringComparison.Ordinal);
        Assert.NotEqual(shipped, fast);
        await File.WriteAllTextAsync(Path.Combine(journeys, "service-reminder.yaml"), fast);
        await File.WriteAllTextAsync(Path.Combine(journeys, "rules.yaml"), """
            channelOrder: [whatsapp, rcs, sms]
            timeZone: Asia/Kolkata
            quietHours: none
            caps:
              - { purpose: "*", max: 20, per: 24h }
            """);
        _engine = await AgentEngine.StartAsync(new Dictionary<string, string?>
        {
            ["Sip:SbcAddress"] = $"127.0.0.1:{_sbcPort}",
            ["Bots:Path"] = _bots.Path,
            ["Outbox:Dispatcher:PollInterval"] = "00:00:00.100",
        });
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _bots.Dispose();
    }

    [Fact]
    public async Task The_journeys_call_books_the_workshop_slot_by_dtmf_and_the_confirmation_is_queued()
    {
        const string number = "919811100031";
        // On WhatsApp, before the journey: the booking got as far as the day; the bot asked for a time and heard nothing more.
        foreach (var said in new[] { "I want to book a service", "MH 12 AB 1234", "Recall repair", "Andheri", "tomorrow" })
        {
            var r = await WhatsAppWebhookPost.PostSignedAsync(_engine.Http,
                WhatsAppWebhookPost.Text(number, "wamid." + Guid.NewGuid().ToString("n"), said, null, WhatsAppNumberId), AgentEngine.WhatsAppAppSecret);
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }
        var customer = await ResolveAsync(number);
        List<Turn> chat = [];
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            chat = await TranscriptAsync(customer);
            return chat.Any(t => t is { Channel: "whatsapp", Direction: "outbound" } && t.Text.Contains("Which works for you", StringComparison.Ordinal));
        }), "the WhatsApp booking did not reach the time question: " + string.Join(" | ", chat));
        foreach (var channel in new[] { "whatsapp", "voice" })
        {
            var consent = await _engine.Http.PostAsJsonAsync($"api/customers/{customer}/consent?tenant=autoservice",
                new { channel, purpose = "marketing", status = "granted", source = "dealer-form", evidence = "service plan sign-up" });
            Assert.True(consent.IsSuccessStatusCode, await consent.Content.ReadAsStringAsync());
        }

        // The phone: answers, says hello, then keys a digit each time the test sends an INFO.
        var phone = new TriggeredCallee()
            .Play(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(300)).Audio(await CustomerVoice.SayAsync("hello?")).Silence(TimeSpan.FromSeconds(3)))
            .KeyOnInfo(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(400)).Digits("2").Silence(TimeSpan.FromMilliseconds(200)))
            .KeyOnInfo(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(600)).Digits("1").Silence(TimeSpan.FromMilliseconds(200)))
            .RunAsync(_sbcPort);

        var enrol = await _engine.Http.PostAsJsonAsync("api/journeys/service-reminder/enrolments?tenant=autoservice",
            new { customers = new[] { new { customerId = customer, attributes = new Dictionary<string, string> { ["model"] = "Nexon", ["recall"] = "safety" } } } });
        var enrolled = await enrol.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(enrol.IsSuccessStatusCode, enrolled.GetRawText());
        Assert.Equal(1, enrolled.GetProperty("enrolled").GetInt32());

        // Reminder, nudge, then the call: the engine dials the customer and opens with the reason, then the pending question.
        string? callId = null;
        var dialled = await AgentEngine.EventuallyAsync(() =>
        {
            callId = _engine.Signaling.CallIds.FirstOrDefault();
            return Task.FromResult(callId is not null);
        }, TimeSpan.FromSeconds(90));
        Assert.True(dialled, "no call was placed; timeline: " + await TimelineAsync(customer) + (phone.IsCompleted ? "\n" + await phone : ""));
        await VoiceSaysAsync(customer, "Which works for you", phone);
        await TriggeredCallee.SendInfoAsync(_sbcPort, callId!);       // keys 2: 11:30 AM
        await VoiceSaysAsync(customer, "Shall I book it?", phone);
        await TriggeredCallee.SendInfoAsync(_sbcPort, callId!);       // keys 1: yes
        await VoiceSaysAsync(customer, "Booked. Your appointment reference is TQ4821", phone);
        Assert.True(await _engine.Signaling.HangUpAsync(callId!));
        var result = await phone;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"INVITE sip:+{number}@127.0.0.1:{_sbcPort} SIP/2.0", result.Logs);

        // What the phone heard first was the journey's reason; what it keyed were the slot and the yes.
        var voice = (await TranscriptAsync(customer)).Where(t => t.Channel == "voice").ToList();
        Assert.StartsWith("a safety recall on your Nexon", voice.First(t => t.Direction == "outbound").Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(voice, t => t.Direction == "inbound" && t.Text.Contains("dtmf 2", StringComparison.Ordinal));
        Assert.Contains(voice, t => t.Direction == "inbound" && t.Text.Contains("dtmf 1", StringComparison.Ordinal));

        // The booking is in the customer's context, made on the phone.
        var view = await _engine.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customer}?tenant=autoservice");
        Assert.Contains(view.GetProperty("persistentIntent").GetProperty("history").EnumerateArray(), h =>
            h.GetProperty("intent").GetString() == "book_service" && h.GetProperty("resolution").GetString() == "completed" && h.GetProperty("channel").GetString() == "voice");

        // The journey reached its goal: reminder on WhatsApp, the nudge, the call, then the goal (nothing sent after it).
        JsonElement timeline = default;
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            timeline = JsonDocument.Parse(await _engine.Http.GetStringAsync($"api/journeys/service-reminder/enrolments/{customer}?tenant=autoservice")).RootElement;
            return timeline.GetProperty("status").GetString() == "goal-reached";
        }), "the journey did not reach its goal: " + timeline.GetRawText());
        var steps = timeline.GetProperty("steps").EnumerateArray().ToList();
        Assert.Contains(steps, s => s.GetProperty("stepId").GetString() == "reminder" && s.GetProperty("outcome").GetString() == "enqueued");
        Assert.Contains(steps, s => s.GetProperty("stepId").GetString() == "interactive-nudge" && s.GetProperty("outcome").GetString() == "enqueued");
        Assert.Contains(steps, s => s.GetProperty("stepId").GetString() == "recall-call" && s.GetProperty("outcome").GetString() == "enqueued" && s.GetProperty("channel").GetString() == "voice");
        Assert.Equal("goal: intent book_service", steps[^1].GetProperty("outcome").GetString());
        Assert.DoesNotContain(steps, s => s.GetProperty("stepId").GetString() == "wait-for-reply" && s.GetProperty("outcome").GetString() == "replied seen");
        Assert.DoesNotContain(number, timeline.GetRawText());

        // The call's outbox entry is sent (answered); the written confirmation is queued on WhatsApp, once.
        Assert.True(await AgentEngine.EventuallyAsync(async () => (await _engine.OutboxAsync("voice"))
            .Any(m => m.GetProperty("customerId").GetString() == customer && m.GetProperty("status").GetString() == "sent")), "the call's outbox entry is not sent");
        List<JsonElement> confirmations = [];
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            confirmations = [.. (await _engine.OutboxAsync("whatsapp")).Where(m => m.GetProperty("customerId").GetString() == customer
                && m.GetProperty("summary").GetString()!.Contains("TQ4821", StringComparison.Ordinal))];
            return confirmations.Count > 0;
        }), "no written confirmation in the outbox; log:\n" + _engine.VoiceLog);
        var confirmation = Assert.Single(confirmations);
        Assert.Contains("11:30 AM", confirmation.GetProperty("summary").GetString());
        Assert.Contains("Andheri", confirmation.GetProperty("summary").GetString());
        Assert.DoesNotContain(_engine.App.Logs.Lines, l => l.Contains(number[2..], StringComparison.Ordinal));
    }

    private async Task VoiceSaysAsync(string customer, string text, Task<SippResult> phone)
    {
        List<Turn> voice = [];
        var said = await AgentEngine.EventuallyAsync(async () =>
        {
            if (phone.IsCompleted) return true;
            voice = [.. (await TranscriptAsync(customer)).Where(t => t.Channel == "voice")];
            return voice.Any(t => t.Direction == "outbound" && t.Text.Contains(text, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(60));
        Assert.False(phone.IsCompleted, "the call ended early: " + (phone.IsCompleted ? (await phone).ToString() : "") + "\nvoice: " + string.Join(" | ", voice));
        Assert.True(said, $"the call never said \"{text}\"; voice: {string.Join(" | ", voice)}\nlog:\n{_engine.VoiceLog}");
    }

    private async Task<List<Turn>> TranscriptAsync(string customer)
    {
        var json = await _engine.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customer}/transcript?tenant=autoservice");
        return [.. json.GetProperty("turns").EnumerateArray()
            .Select(t => new Turn(t.GetProperty("channel").GetString()!, t.GetProperty("direction").GetString()!, t.GetProperty("text").GetString()!))];
    }

    private async Task<string> ResolveAsync(string number)
    {
        string? id = null;
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            var r = await _engine.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={number}&tenant=autoservice");
            if (r.IsSuccessStatusCode) id = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
            return id is not null;
        }), "the customer was not created");
        return id!;
    }

    private async Task<string> TimelineAsync(string customer)
    {
        var r = await _engine.Http.GetAsync($"api/journeys/service-reminder/enrolments/{customer}?tenant=autoservice");
        return $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
    }
}

/// <summary>
/// The customer's phone for a call the engine places, keying digits on cue: sipp as UAS answers with PCMU, plays its
/// first recording, then for each keyed input waits for a SIP INFO carrying the call's Call-ID (sent by the test when the
/// engine has asked) and plays that recording, then waits for the engine's BYE. Each recording starts with a different
/// length of silence, so its telephone-event timestamp differs from the previous key's.
/// </summary>
internal sealed class TriggeredCallee
{
    private readonly SippScript _script = new("journey-callee-");
    private readonly List<string> _steps = [];
    private int _files;
    private readonly DirectoryInfo _media = Directory.CreateTempSubdirectory("journey-callee-media-");

    public TriggeredCallee Play(RtpPcapWriter pcap)
    {
        _steps.Add($"<nop><action><exec play_pcap_audio=\"{Save(pcap)}\"/></action></nop>");
        return this;
    }

    public TriggeredCallee KeyOnInfo(RtpPcapWriter pcap)
    {
        _steps.Add("<recv request=\"INFO\" timeout=\"90000\"/>");
        return Play(pcap);
    }

    public async Task<SippResult> RunAsync(int port)
    {
        var sb = new StringBuilder(SippCallee.AnswerSteps("journey call callee"));
        foreach (var step in _steps) sb.Append("  ").Append(step).Append('\n');
        sb.Append(SippScript.EndedByEngine);
        try
        {
            return await _script.RunAsync(sb.ToString(), mediaPort => $"-i 127.0.0.1 -p {port} -mp {mediaPort} -m 1", TimeSpan.FromMinutes(4));
        }
        finally
        {
            try { _media.Delete(true); } catch (IOException) { }
        }
    }

    /// <summary>An INFO in the call's dialog (sipp matches on the Call-ID): the cue to key the next digit.</summary>
    public static async Task SendInfoAsync(int sippPort, string callId)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var info = $"INFO sip:phone@127.0.0.1:{sippPort} SIP/2.0\r\n" +
                   $"Via: SIP/2.0/UDP 127.0.0.1:{local.Port};branch=z9hG4bK{Guid.NewGuid():n}\r\n" +
                   "From: <sip:test@127.0.0.1>;tag=cue\r\n" +
                   "To: <sip:phone@127.0.0.1>\r\n" +
                   $"Call-ID: {callId}\r\n" +
                   "CSeq: 1 INFO\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(info);
        await udp.SendAsync(bytes, bytes.Length, new IPEndPoint(IPAddress.Loopback, sippPort));
    }

    private string Save(RtpPcapWriter pcap)
    {
        var path = Path.Combine(_media.FullName, $"media{_files++}.pcap");
        pcap.Save(path);
        return path;
    }
}

using System.Text.Json;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// Issue 6's end-to-end story: a WhatsApp chat fills the airline rebooking flow up to its confirmation, then the customer
/// calls from the same number. The call asks for recording consent (answered with a key), speaks the engine's resume
/// line naming WhatsApp and the pending step, hears the spoken "yes", and completes the flow without asking any slot again.
/// The WhatsApp side is signed Cloud API webhooks; the written confirmation of the rebooking follows in the WhatsApp outbox.
/// </summary>
[Collection("sipp")]
public sealed class WhatsAppToVoiceTests : IAsyncLifetime
{
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync(recordings: true);

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_whatsapp_rebooking_is_resumed_and_confirmed_on_a_spoken_call_without_asking_again()
    {
        const string number = "919811100002";
        // The rebooking starts with the identity check (the demo PIN), passed here on WhatsApp.
        foreach (var said in new[] { "I missed my connection", "2468", "AB12CD", "Mumbai", "tomorrow", "4 pm" })
            await _engine.SignedWhatsAppAsync(number, said);
        var customer = await _engine.ResolveAsync("whatsapp", number);
        Assert.NotNull(customer);
        var chat = await _engine.TranscriptAsync(customer);
        Assert.Equal(6, chat.Count(t => t is { Channel: "whatsapp", Direction: "inbound" }));
        Assert.DoesNotContain(chat, t => t.Text.Contains("2468", StringComparison.Ordinal)); // the PIN is tokenized at ingestion
        Assert.Contains("Shall I confirm", chat.Last(t => t is { Channel: "whatsapp", Direction: "outbound" }).Text);
        Assert.True((await _engine.OutboxAsync("whatsapp")).Count(m => m.GetProperty("customerId").GetString() == customer) >= 6,
            "every WhatsApp message is answered through the outbox");

        var yes = await CustomerVoice.SayAsync("yes");
        // One recording for the key and the answer: a second pcap restarts the RTP sequence numbers, and the engine
        // drops its first packets as late (the start of "yes" was lost that way).
        var keyThenYes = new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(200)).Digits("1").Silence(TimeSpan.FromMilliseconds(2700))
            .Audio(yes).Silence(TimeSpan.FromMilliseconds(1200));
        var call = new SippCall()
            .Pause(TimeSpan.FromMilliseconds(1500))
            .Play(keyThenYes)
            .Pause(keyThenYes.Duration + TimeSpan.FromSeconds(2));
        var result = await call.RunAsync(_engine.SipPort, "+" + number);
        Assert.True(result.ExitCode == 0, result.ToString());

        List<Turn> turns = [];
        var done = await AgentEngine.EventuallyAsync(async () =>
        {
            turns = await _engine.TranscriptAsync(customer);
            return turns.Any(t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains("SW 221"));
        });
        Assert.True(done, "the flow was not completed on the phone; transcript: " + string.Join(" | ", turns) + "\nlog:\n" + _engine.VoiceLog);
        var voice = turns.Where(t => t.Channel == "voice").ToList();
        Assert.Contains(voice, t => t.Direction == "outbound"
            && t.Text.Contains("I see we were verifying the 4:00 PM flight to Mumbai on your WhatsApp chat. Let's finish that here.", StringComparison.Ordinal));
        Assert.Contains(voice, t => t.Direction == "inbound" && t.Text == "yes");
        foreach (var asked in new[] { "PIN", "booking reference?", "Where are you flying", "Which day", "Which one suits you" })
            Assert.DoesNotContain(voice, t => t.Direction == "outbound" && t.Text.Contains(asked, StringComparison.Ordinal));

        var view = await _engine.CustomerAsync(customer);
        // The identity check passed on WhatsApp holds on the phone: the system metadata layer says so.
        var verification = view.GetProperty("systemMetadata").GetProperty("verification");
        Assert.True(verification.GetProperty("verified").GetBoolean());
        Assert.Equal("whatsapp", verification.GetProperty("channel").GetString());
        var intent = view.GetProperty("persistentIntent");
        Assert.Equal(0, intent.GetProperty("switchesWithRepeat").GetInt32());
        Assert.True(intent.GetProperty("channelSwitches").GetInt32() >= 1);
        Assert.Contains(intent.GetProperty("history").EnumerateArray(), h => h.GetProperty("intent").GetString() == "rebook" && h.GetProperty("resolution").GetString() == "completed");

        // Recording: consent given with a key, stored with the Call-ID and the time into the call as evidence.
        var consent = view.GetProperty("consent").EnumerateArray()
            .Single(c => c.GetProperty("purpose").GetString() == "call-recording" && c.GetProperty("channel").GetString() == "voice");
        Assert.Equal("granted", consent.GetProperty("status").GetString());
        var evidence = consent.GetProperty("history").EnumerateArray().Last().GetProperty("evidence").GetString()!;
        Assert.Contains("sip-call-id", evidence);
        Assert.Contains("dtmf 1", evidence);
        // The written confirmation: one WhatsApp message in the outbox after the call (the 24-hour window is open, the
        // customer wrote on WhatsApp), in the transcript as an outbound WhatsApp line.
        List<JsonElement> confirmations = [];
        var queued = await AgentEngine.EventuallyAsync(async () =>
        {
            confirmations = [.. (await _engine.OutboxAsync("whatsapp"))
                .Where(m => m.GetProperty("customerId").GetString() == customer && m.GetProperty("summary").GetString()!.Contains("your new flight is SW 221", StringComparison.Ordinal))];
            return confirmations.Count > 0;
        });
        Assert.True(queued, "no WhatsApp confirmation in the outbox; log:\n" + _engine.VoiceLog);
        var confirmation = Assert.Single(confirmations);
        Assert.Equal("free-form", confirmation.GetProperty("kind").GetString());
        Assert.Contains("SW 221, 4:00 PM to Mumbai", confirmation.GetProperty("summary").GetString());
        Assert.Contains("AB12CD", confirmation.GetProperty("body").GetString());
        Assert.EndsWith(number[^4..], confirmation.GetProperty("recipient").GetString());
        Assert.Contains(await _engine.TranscriptAsync(customer), t => t is { Channel: "whatsapp", Direction: "outbound" } && t.Text.Contains("your new flight is SW 221", StringComparison.Ordinal));

        var wav = Assert.Single(_engine.RecordingFiles("*.wav"));
        Assert.DoesNotContain(number, Path.GetFileName(wav));
        var sidecar = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(wav, ".json"))).RootElement;
        Assert.Equal(customer, sidecar.GetProperty("customerId").GetString());
        Assert.True(new FileInfo(wav).Length > 44 + 8000 * 4, "the recording holds less than a second");
    }
}

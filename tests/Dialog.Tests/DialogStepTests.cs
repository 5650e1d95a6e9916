using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Dialog;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Dialog.Tests;

public sealed class DialogStepTests
{
    private static async Task Rebook(EngineHarness h, Channel channel)
    {
        await h.Say(channel, "I missed my connection");
        await h.Say(channel, "2468"); // the airline bot's demo PIN: rebooking needs the identity check
        await h.Say(channel, "AB12CD");
        await h.Say(channel, "Mumbai");
        await h.Say(channel, "tomorrow");
        await h.Say(channel, "4 pm");
    }

    [Fact]
    public async Task The_persona_says_the_same_words_on_every_channel()
    {
        var transcripts = new Dictionary<Channel, List<string>>();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var h = new EngineHarness(EngineHarness.Airline);
            var replies = new List<string>();
            foreach (var text in new[] { "hi", "I missed my connection", "2468", "AB12CD", "Mumbai", "tomorrow", "4 pm", "help", "yes" })
                replies.Add((await h.Say(channel, text)).Text);
            transcripts[channel] = replies;
        }
        var notice = EngineHarness.Airline.Definition.Persona.VoiceNotice!.Source + " ";
        var reference = transcripts[Channel.WhatsApp];
        foreach (var (channel, replies) in transcripts)
            Assert.Equal(reference, replies.Select(r => channel == Channel.Voice && r.StartsWith(notice, StringComparison.Ordinal) ? r[notice.Length..] : r));
        Assert.StartsWith(notice, transcripts[Channel.Voice][0]);
    }

    [Fact]
    public async Task Only_the_turn_that_completes_a_flow_carries_its_written_confirmation()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await h.Say(Channel.WhatsApp, "I missed my connection");
        await h.Say(Channel.WhatsApp, "2468");
        await h.Say(Channel.WhatsApp, "AB12CD");
        await h.Say(Channel.WhatsApp, "Mumbai");
        await h.Say(Channel.WhatsApp, "tomorrow");
        var confirm = await h.Say(Channel.WhatsApp, "4 pm");
        Assert.Null(confirm.Completed);

        var done = await h.Say(Channel.Voice, "yes");

        var completed = Assert.IsType<FlowCompletion>(done.Completed);
        Assert.Equal("rebook", completed.Flow);
        Assert.Equal("Rebook a flight", completed.Title);
        // The flow's own written form (brand first, result and slots filled in), not the spoken success line.
        Assert.StartsWith("SkyWays Airlines: your new flight is SW 221, 4:00 PM to Mumbai on ", completed.Confirmation);
        Assert.EndsWith("Seat 14C. Booking reference AB12CD.", completed.Confirmation);
        Assert.Null((await h.Say(Channel.Voice, "thanks")).Completed);
    }

    [Fact]
    public async Task A_flow_without_a_written_form_confirms_with_its_success_text()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await h.Say(Channel.Voice, "what's the status of SW 123");
        var done = await h.Say(Channel.Voice, "today");
        Assert.Equal(done.Text, done.Completed?.Confirmation);
        Assert.Equal("flight_status", done.Completed?.Flow);
    }

    [Fact]
    public async Task Resume_line_names_the_earlier_channel_and_the_pending_step_once()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await Rebook(h, Channel.WhatsApp);
        var first = await h.Say(Channel.Voice, "hello");
        Assert.Contains("I see we were verifying the 4:00 PM flight to Mumbai on your WhatsApp chat. Let's finish that here.", first.Text);
        Assert.Equal(DialogStepMarkers.Confirm, h.Ephemeral.PendingSlot);
        Assert.Equal(Channel.Voice, h.Ephemeral.FlowChannel);
        var second = await h.Say(Channel.Voice, "help");
        Assert.DoesNotContain("I see we were", second.Text);
        Assert.Contains("Shall I confirm", second.Text);
        Assert.Equal(1, h.Intent.ChannelSwitches);
        Assert.Equal(0, h.Intent.SwitchesWithRepeat);
    }

    [Fact]
    public async Task Asking_a_filled_slot_again_after_a_switch_counts_against_the_zero_repeat_metric()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await Rebook(h, Channel.WhatsApp);
        await h.Say(Channel.WebChat, "start over");
        Assert.Equal("booking_ref", h.Ephemeral.PendingSlot);
        Assert.Equal(1, h.Intent.SwitchesWithRepeat);
        await h.Say(Channel.WebChat, "AB12CD");
        Assert.Equal(1, h.Intent.SwitchesWithRepeat); // one switch counts once
    }

    [Fact]
    public async Task Repeat_gives_the_last_reply_and_option_numbers_pick_options()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await h.Say(Channel.Sms, "I missed my connection");
        await h.Say(Channel.Sms, "2468");
        var ask = await h.Say(Channel.Sms, "AB12CD");
        var again = await h.Say(Channel.Sms, "repeat");
        Assert.Equal(ask.Text, again.Text);
        Assert.Equal(ask.OptionList, again.OptionList);
        await h.Say(Channel.Sms, "2");
        Assert.Equal("DEL", h.Ephemeral.Slots["destination"].Value);
        await h.Say(Channel.Sms, "tomorrow");
        await h.Say(Channel.Voice, "", new TurnPayload(PayloadKind.Dtmf, "3"));
        Assert.Equal("21:15", h.Ephemeral.Slots["time"].Value);
    }

    [Fact]
    public async Task Call_us_carries_the_voice_number_a_session_token_and_a_call_code_and_keeps_the_flow_open()
    {
        var h = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { VoiceNumber = "+15550100000" });
        await Rebook(h, Channel.WhatsApp);
        var reply = await h.Say(Channel.WhatsApp, "can I call you instead?");
        Assert.Equal(ReplyActionKind.CallUs, reply.Action?.Kind);
        Assert.Equal("+15550100000", reply.Action!.Target);
        Assert.Equal(h.IssuedTokens.Single(), reply.Action.SessionToken);
        Assert.Equal("123456", reply.Action.CallCode);
        Assert.Equal("rebook", h.Ephemeral.ActiveFlow);
        var onCall = await h.Say(Channel.Voice, "call me");
        Assert.Null(onCall.Action);
        Assert.Contains("already on the phone", onCall.Text);
    }

    [Fact]
    public async Task A_remembered_slot_is_not_asked_in_the_next_flow()
    {
        var h = new EngineHarness(EngineHarness.Autoservice);
        await h.Say(Channel.WhatsApp, "I got a recall notice");
        await h.Say(Channel.WhatsApp, "MH12AB1234");
        var next = await h.Say(Channel.WhatsApp, "book a service");
        Assert.Equal("service", h.Ephemeral.PendingSlot);
        Assert.Contains("MH12AB1234", next.Text);
    }

    [Fact]
    public async Task Backend_actions_post_the_slots_and_use_the_answer()
    {
        JsonElement? posted = null;
        await using var backend = await Backend(app => app.MapPost("/rebookings", async (HttpRequest r) =>
        {
            posted = (await JsonDocument.ParseAsync(r.Body)).RootElement.Clone();
            return Results.Json(new { flight = "SW 999", seat = "2A" });
        }));
        var h = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Backend = new Uri(backend.Urls.First()) });
        await Rebook(h, Channel.WebChat);
        var done = await h.Say(Channel.WebChat, "yes");
        Assert.Contains("You're on SW 999", done.Text);
        Assert.Contains("seat is 2A", done.Text);
        Assert.Equal("AB12CD", posted!.Value.GetProperty("slots").GetProperty("booking_ref").GetString());
        Assert.Equal("16:00", posted.Value.GetProperty("slots").GetProperty("time").GetString());
        Assert.Equal("rebook:completed", $"{h.Intent.History[^1].Intent}:{h.Intent.History[^1].Resolution}");
    }

    [Fact]
    public async Task A_backend_that_does_not_answer_in_time_gets_the_failure_reply()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await Backend(app => app.MapGet("/flights/status", async (CancellationToken ct) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return Results.Ok();
        }));
        using var http = new HttpClient();
        var h = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Backend = new Uri(backend.Urls.First()) }, new DialogBackend(http, time));
        var pending = h.Say(Channel.WhatsApp, "is SW 123 on time today?");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(2)); // the flow's timeout
        var reply = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("can't reach our flight information", reply.Text);
        Assert.Contains(reply.OptionList, o => o.Id == "intent:agent");
        Assert.Equal("flight_status:failed", $"{h.Intent.History[^1].Intent}:{h.Intent.History[^1].Resolution}");
    }

    [Fact]
    public async Task A_backend_error_status_gets_the_failure_reply()
    {
        await using var backend = await Backend(app => app.MapPost("/rebookings", () => Results.StatusCode(503)));
        var h = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Backend = new Uri(backend.Urls.First()) });
        await Rebook(h, Channel.WebChat);
        var reply = await h.Say(Channel.WebChat, "yes");
        Assert.Contains("couldn't change the booking", reply.Text);
        Assert.Null(h.Ephemeral.ActiveFlow);
    }

    [Fact]
    public async Task A_secret_slot_asks_the_grain_to_tokenize_bare_digits()
    {
        var dir = new Switchboard.TestSupport.TempDirectory();
        using (dir)
        {
            var folder = Path.Combine(dir.Path, "bank");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "bot.yaml"), """
                persona: { name: Asha, brand: Bank, greeting: Hello, signOff: Bye }
                intents:
                  - { name: verify, examples: [verify me, check my identity] }
                  - { name: greet, examples: [hi, hello] }
                flows:
                  - name: verify
                    intent: verify
                    title: Verify
                    goal: verifying you
                    slots:
                      - { name: otp, type: number, prompt: "Please tell me the code we sent.", secret: true }
                    action: { success: "Thanks, you're verified." }
                """);
            var h = new EngineHarness(BotRuntime.LoadFolder(folder));
            await h.Say(Channel.WhatsApp, "verify me");
            Assert.Equal("1", h.Data[EngineDataKeys.ExpectSecretDigits]);
            var done = await h.Say(Channel.WhatsApp, "it is {{otp::0123456789}}");
            Assert.Equal("Thanks, you're verified.", done.Text);
            Assert.False(h.Data.ContainsKey(EngineDataKeys.ExpectSecretDigits));
        }
    }

    private static async Task<WebApplication> Backend(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        // The airline bot's identity check goes to the backend once one is configured: the demo PIN passes here too.
        app.MapPost("/identity/check", async (HttpRequest r) =>
            Results.Json(new { ok = (await JsonDocument.ParseAsync(r.Body)).RootElement.GetProperty("code").GetString() == "2468" }));
        map(app);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_cancel_with_filled_slots_is_asked_first_and_voice_listens_for_yes_or_no()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        await h.Say(Channel.WhatsApp, "rebook AB12CD to Mumbai");
        await h.Say(Channel.WhatsApp, "2468");
        var question = await h.Say(Channel.WhatsApp, "cancel");
        Assert.Equal("Cancel your rebooking to Mumbai?", question.Text);
        Assert.Equal(ReplyExpectation.Confirm, question.Expect!.Type);
        Assert.Equal("rebook", h.Ephemeral.ActiveFlow);
        var done = await h.Say(Channel.WhatsApp, "yes");
        Assert.Null(h.Ephemeral.ActiveFlow);
        Assert.Contains("cancelled", done.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_part_of_day_that_fits_two_offered_times_is_asked_about_never_guessed()
    {
        var h = new EngineHarness(EngineHarness.Autoservice);
        await h.Say(Channel.WhatsApp, "book a general service for MH 12 AB 1234 at Pune tomorrow");
        var reply = await h.Say(Channel.WhatsApp, "morning");
        Assert.Equal("Did you mean 9:00 AM or 11:30 AM?", reply.Text);
        Assert.Equal(["9:00 AM", "11:30 AM"], reply.Options!.Select(o => o.Title));
        Assert.Equal("time", h.Ephemeral.PendingSlot);
        Assert.False(h.Ephemeral.Slots.ContainsKey("time"));
    }

    [Theory]
    [InlineData("the second one", "11:30 AM")]
    [InlineData("the last one", "11:30 AM")]
    [InlineData("the first", "9:00 AM")]
    [InlineData("9", "9:00 AM")]
    public async Task After_a_clarifying_question_an_ordinal_counts_within_the_options_it_named(string answer, string chosen)
    {
        var h = new EngineHarness(EngineHarness.Autoservice);
        await h.Say(Channel.WhatsApp, "book a general service for MH 12 AB 1234 at Pune tomorrow");
        await h.Say(Channel.WhatsApp, "morning");
        await h.Say(Channel.WhatsApp, answer);
        Assert.Equal(chosen, h.Ephemeral.Slots["time"].Display);
        Assert.Null(h.Ephemeral.NarrowedOffer);
    }

    [Fact]
    public async Task A_clarifying_question_narrows_only_the_next_answer()
    {
        var h = new EngineHarness(EngineHarness.Autoservice);
        await h.Say(Channel.WhatsApp, "book a general service for MH 12 AB 1234 at Pune tomorrow");
        await h.Say(Channel.WhatsApp, "morning");
        var again = await h.Say(Channel.WhatsApp, "the fifth one");
        Assert.StartsWith("I can offer 9:00 AM, 11:30 AM or 3:00 PM.", again.Text);
        await h.Say(Channel.WhatsApp, "the last one");
        Assert.Equal("3:00 PM", h.Ephemeral.Slots["time"].Display);
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;
using Switchboard.Dialog.Llm;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Dialog.Tests;

/// <summary>The optional LLM command generator against a local stand-in speaking the OpenAI chat-completions API over HTTP.</summary>
public sealed class LlmCommandGeneratorTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _answer = "";
    private volatile bool _hang;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            _requests.Enqueue(body);
            if (_hang) await _never.Task.WaitAsync(http.RequestAborted);
            return Results.Json(new
            {
                id = "chatcmpl-1", @object = "chat.completion", created = 0, model = "stand-in",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = _answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
            });
        });
        await _server.StartAsync();
        _url = _server.Urls.First();
    }

    public async Task DisposeAsync()
    {
        _never.TrySetResult();
        await _server.DisposeAsync();
    }

    private LlmCommandGenerator Generator(TimeSpan timeout)
    {
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_url + "/v1"),
            RetryPolicy = new ClientRetryPolicy(0),
        });
        return new LlmCommandGenerator(client.GetChatClient("stand-in").AsIChatClient(), timeout, TimeProvider.System);
    }

    private static string Commands(params object[] commands) => JsonSerializer.Serialize(new { commands });

    [Fact]
    public async Task Commands_the_bot_allows_are_kept_in_order()
    {
        _answer = Commands(new { type = "start_flow", flow = "rebook" }, new { type = "set_slot", slot = "destination", value = "Mumbai" });
        var got = await Generator(TimeSpan.FromSeconds(30)).ProposeAsync(EngineHarness.Airline.Definition, "my first leg was late, I need to get to Mumbai", null, null, default);
        Assert.Equal([new DialogCommand(DialogCommandKind.StartFlow, Flow: "rebook"), new DialogCommand(DialogCommandKind.SetSlot, Slot: "destination", Value: "Mumbai")], got);
    }

    [Fact]
    public async Task Unknown_flows_slots_intents_and_values_never_said_are_dropped()
    {
        _answer = Commands(
            new { type = "start_flow", flow = "book_hotel" },
            new { type = "set_slot", slot = "seat", value = "12A" },
            new { type = "set_slot", slot = "destination", value = "Paris" },
            new { type = "answer_digression", intent = "weather" },
            new { type = "launch_missiles" });
        var got = await Generator(TimeSpan.FromSeconds(30)).ProposeAsync(EngineHarness.Airline.Definition, "take me somewhere nice", "rebook", "destination", default);
        Assert.Empty(got);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"commands\": [ {\"type\": \"start_flow\", ")]
    [InlineData("{\"commands\": 42}")]
    [InlineData("")]
    public async Task Nonsense_or_malformed_answers_give_no_commands(string answer)
    {
        _answer = answer;
        Assert.Empty(await Generator(TimeSpan.FromSeconds(30)).ProposeAsync(EngineHarness.Airline.Definition, "I missed my connection", null, null, default));
        Assert.NotEmpty(_requests);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_gives_no_commands()
    {
        _hang = true;
        var got = await Generator(TimeSpan.FromMilliseconds(300)).ProposeAsync(EngineHarness.Airline.Definition, "I missed my connection", null, null, default);
        Assert.Empty(got);
        Assert.Single(_requests); // it was asked, and did not answer
    }

    [Fact]
    public async Task Only_tokenized_text_reaches_the_model()
    {
        var canary = new Canary();
        var (tokenized, findings) = new PiiTokenizer(new byte[32]).Tokenize($"rebook me, pay with {canary.CardSpaced}, mail {canary.Email}");
        Assert.NotEmpty(findings);
        _answer = Commands(new { type = "start_flow", flow = "rebook" });
        await Generator(TimeSpan.FromSeconds(30)).ProposeAsync(EngineHarness.Airline.Definition, tokenized, null, null, default);
        var sent = Assert.Single(_requests);
        Assert.Null(canary.FoundIn(sent));
        Assert.Contains("{{card:", sent.Replace("\\u007B", "{"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_the_engine_a_valid_proposal_starts_the_flow_the_embedded_path_did_not_find()
    {
        _answer = Commands(new { type = "start_flow", flow = "rebook" });
        var harness = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Llm = Generator(TimeSpan.FromSeconds(30)) });
        await harness.Say(Switchboard.Grains.Interfaces.Conversation.Channel.WhatsApp, "xyzzy plugh frobnicate");
        Assert.Single(_requests);
        Assert.Equal("rebook", harness.Ephemeral.ActiveFlow);
    }

    [Theory]
    [InlineData("unknown-flow")]
    [InlineData("malformed")]
    [InlineData("timeout")]
    public async Task Through_the_engine_a_bad_or_late_model_falls_back_to_the_embedded_path(string mode)
    {
        _hang = mode == "timeout";
        _answer = mode == "malformed" ? "{\"commands\": [" : Commands(new { type = "start_flow", flow = "book_hotel" });
        var harness = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Llm = Generator(TimeSpan.FromMilliseconds(500)) });
        var reply = await harness.Say(Switchboard.Grains.Interfaces.Conversation.Channel.WhatsApp, "xyzzy plugh frobnicate");
        var without = await new EngineHarness(EngineHarness.Airline).Say(Switchboard.Grains.Interfaces.Conversation.Channel.WhatsApp, "xyzzy plugh frobnicate");
        Assert.Single(_requests);
        Assert.Null(harness.Ephemeral.ActiveFlow);
        Assert.Equal(without.Text, reply.Text); // the same fallback as with no model at all
    }

    private static readonly Channel WhatsApp = Channel.WhatsApp;

    /// <summary>The rebooking open and verified, booking AB12CD to Mumbai, the engine waiting for the day.</summary>
    private async Task<EngineHarness> RebookingToMumbaiAskingTheDay()
    {
        var h = new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Llm = Generator(TimeSpan.FromSeconds(30)) });
        foreach (var text in new[] { "I missed my connection", "2468", "AB12CD", "Mumbai" }) await h.Say(WhatsApp, text);
        Assert.Equal(("rebook", "date"), (h.Ephemeral.ActiveFlow, h.Ephemeral.PendingSlot));
        _requests.Clear(); // the embedded path understood every turn so far: the model was never asked
        return h;
    }

    [Fact]
    public async Task Through_the_engine_the_models_slot_values_fill_the_flow_it_starts()
    {
        const string text = "zxq vlorp 25 Dec, 27 Dec";
        Assert.Null((await Say(new EngineHarness(EngineHarness.Airline), text)).Ephemeral.ActiveFlow); // nothing without the model
        _answer = Commands(new { type = "start_flow", flow = "rebook" }, new { type = "set_slot", slot = "date", value = "27 Dec" });
        var h = await Say(new EngineHarness(EngineHarness.Airline, new DialogEngineSettings { Llm = Generator(TimeSpan.FromSeconds(30)) }), text);
        Assert.Single(_requests);
        Assert.Equal("rebook", h.Ephemeral.ActiveFlow);
        // By position alone the engine would take the first date; the model said which one is the day to fly, and the
        // engine made the value from the customer's words (its own date, not the model's text).
        Assert.Equal("2026-12-27", h.Ephemeral.Slots["date"].Value);
    }

    [Fact]
    public async Task Through_the_engine_a_model_correction_changes_the_slot_and_the_pending_question_goes_on()
    {
        var h = await RebookingToMumbaiAskingTheDay();
        _answer = Commands(new { type = "correct_slot", slot = "destination", value = "Delhi" });
        var reply = await h.Say(WhatsApp, "hmm zxq Delhi");
        Assert.Single(_requests);
        Assert.Equal("DEL", h.Ephemeral.Slots["destination"].Value);
        Assert.Equal("date", h.Ephemeral.PendingSlot);
        Assert.Contains("Delhi", reply.Text);
    }

    [Fact]
    public async Task Through_the_engine_a_model_value_the_bot_does_not_know_or_did_not_offer_is_never_taken()
    {
        var h = await RebookingToMumbaiAskingTheDay();
        // "Paris" is not a city the bot flies to; "1 pm" is not among the offered times.
        _answer = Commands(
            new { type = "correct_slot", slot = "destination", value = "Paris" },
            new { type = "set_slot", slot = "time", value = "1 pm" });
        var reply = await h.Say(WhatsApp, "zxq Paris, 1 pm");
        Assert.Single(_requests);
        Assert.Equal("BOM", h.Ephemeral.Slots["destination"].Value);
        Assert.False(h.Ephemeral.Slots.ContainsKey("time"));
        Assert.False(h.Ephemeral.Slots.ContainsKey("date"));
        Assert.Equal("date", h.Ephemeral.PendingSlot);
        Assert.DoesNotContain("Paris", reply.Text);
    }

    private static async Task<EngineHarness> Say(EngineHarness h, string text)
    {
        await h.Say(Channel.WhatsApp, text);
        return h;
    }
}

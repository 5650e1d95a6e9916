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
}

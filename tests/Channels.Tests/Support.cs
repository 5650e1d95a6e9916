using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Dialog;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests;

public static partial class Wire
{
    public const string AppSecret = "test-app-secret-0123";
    public const string VerifyToken = "verify-me-please";
    public const string PhoneNumberId = "109876543210";
    public const string VoiceNumber = "+15550100000";

    public static Dictionary<string, string?> Settings(string? graphBaseUrl, Dictionary<string, string?>? extra = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Tenants:airline:DisplayName"] = "SkyWays",
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:airline:Endpoints:0:Value"] = PhoneNumberId,
            ["Tenants:airline:Endpoints:1:Channel"] = "webchat",
            ["Tenants:airline:Endpoints:1:Value"] = "skyways-web",
            ["Tenants:airline:Endpoints:2:Channel"] = "sms",
            ["Tenants:airline:Endpoints:2:Value"] = "+15550100001",
            ["Tenants:airline:Endpoints:3:Channel"] = "rcs",
            ["Tenants:airline:Endpoints:3:Value"] = "skyways-agent",
            ["Tenants:airline:VoiceNumber"] = VoiceNumber,
            ["Tenants:autoservice:DisplayName"] = "Torque",
            ["Tenants:autoservice:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:autoservice:Endpoints:0:Value"] = "109876543299",
            ["WhatsApp:AppSecret"] = AppSecret,
            ["WhatsApp:VerifyToken"] = VerifyToken,
            ["WhatsApp:PhoneNumberId"] = PhoneNumberId,
            ["WhatsApp:ApiVersion"] = "v21.0",
            ["WhatsApp:SendRetryDelay"] = "00:00:00.010",
            ["Outbox:BaseBackoff"] = "00:00:00.050",
            ["Outbox:MaxBackoff"] = "00:00:00.200",
            ["Outbox:Dispatcher:PollInterval"] = "00:00:00.100",
            // These tests prove the wire path with a scripted engine; the dialog engine has its own tests.
            ["Bots:Enabled"] = "false",
        };
        if (graphBaseUrl is not null)
        {
            s["WhatsApp:AccessToken"] = "test-graph-token";
            s["WhatsApp:ApiBaseUrl"] = graphBaseUrl;
        }
        foreach (var (k, v) in extra ?? []) s[k] = v;
        return s;
    }

    public static Task<SiloApp> StartAsync(string? graphBaseUrl, Dictionary<string, string?>? extra = null) =>
        SiloApp.StartAsync(Settings(graphBaseUrl, extra), configure: b => b.Services.AddSingleton<IConversationEngineProvider, ScriptedEngine>());

    public static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "whatsapp", name));

    /// <summary>A sample made this test's own: its sender, fresh message ids, and timestamps of <paramref name="at"/> (now by default).</summary>
    public static string Own(string sample, string waId, string tag, DateTimeOffset? at = null)
    {
        var ts = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString();
        var s = Sample(sample).Replace("919800000001", waId, StringComparison.Ordinal).Replace("wamid.", $"wamid.{tag}.", StringComparison.Ordinal);
        s = QuotedTimestamp().Replace(s, $"\"timestamp\": \"{ts}\"");
        return BareTimestamp().Replace(s, $"\"timestamp\": {ts}");
    }

    [GeneratedRegex("\"timestamp\": \"\\d+\"")]
    private static partial Regex QuotedTimestamp();

    [GeneratedRegex("\"timestamp\": \\d+(?=[,\\s}])")]
    private static partial Regex BareTimestamp();

    public static string Text(string waId, string messageId, string body, DateTimeOffset? at = null) =>
        WhatsAppWebhookPost.Text(waId, messageId, body, at, PhoneNumberId);

    public static Task<HttpResponseMessage> PostSigned(HttpClient http, string json, string secret = AppSecret) =>
        WhatsAppWebhookPost.PostSignedAsync(http, json, secret);

    public static async Task<JsonObject> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task<JsonArray> Outbox(HttpClient admin, string query = "")
    {
        var r = await admin.GetAsync("/api/outbox?limit=1000" + query);
        r.EnsureSuccessStatusCode();
        return (await Json(r))["messages"]!.AsArray();
    }

    public static async Task<string?> CustomerId(HttpClient admin, string waId)
    {
        var r = await admin.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}");
        return r.IsSuccessStatusCode ? (await Json(r))["customerId"]!.ToString() : null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        if (!await TestSupport.Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(seconds))) Assert.Fail("Timed out waiting for: " + what);
    }
}

/// <summary>A test engine that answers with every reply shape: "menu" buttons, "list" 11 rows, "web" continue-on-web, "call" call-us, "card" a card.</summary>
public sealed class ScriptedEngine : IConversationEngine, IConversationEngineProvider
{
    public IConversationEngine For(string tenant) => this;

    public ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default)
    {
        var said = (turn.Payload?.Id ?? turn.Text).Trim().ToLowerInvariant();
        EngineReply reply = said switch
        {
            "menu" => new EngineReply("What would you like to do?", ReplyStyle.QuickReplies,
                [new ReplyOption("flight_status", "Flight status"), new ReplyOption("baggage", "Baggage"), new ReplyOption("agent", "Talk to agent")]),
            "list" => new EngineReply("Pick a seat row:", ReplyStyle.List, Enumerable.Range(1, 11).Select(i => new ReplyOption($"row_{i}", $"Row {i}")).ToList()),
            "web" => new EngineReply("Let's continue on the web.", Action: new ReplyAction(ReplyActionKind.ContinueOnWeb,
                SessionToken: turn.IssueSessionToken("continue-on-web", TimeSpan.FromMinutes(30)))),
            "call" => new EngineReply("An agent can take this on the phone.", Action: new ReplyAction(ReplyActionKind.CallUs)),
            "card" => new EngineReply("Here is your booking.", ReplyStyle.Card, Card: new ReplyCard("SW 123", "Delhi → Mumbai",
                new Dictionary<string, string> { ["Departs"] = "16:00", ["Gate"] = "12" })),
            "flight_status" => new EngineReply("Your flight SW 123 is on time."),
            _ => new EngineReply($"You said: {turn.Payload?.Title ?? turn.Text}"),
        };
        return ValueTask.FromResult(reply);
    }
}

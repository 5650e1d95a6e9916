using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>The real engine with the Graph API and RBM stand-ins as WhatsApp's and RCS's providers, and journey helpers.</summary>
internal static class JourneyEngine
{
    public const string AppSecret = "journey-app-secret-0123";
    public const string PhoneNumberId = "109876543210";

    public static Dictionary<string, string?> Settings(GraphStandIn graph, ProviderStandIn rbm, Dictionary<string, string?>? extra = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Tenants:airline:DisplayName"] = "SkyWays",
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:airline:Endpoints:0:Value"] = PhoneNumberId,
            ["Tenants:airline:Endpoints:1:Channel"] = "rcs",
            ["Tenants:airline:Endpoints:1:Value"] = "skyways-agent",
            ["WhatsApp:AppSecret"] = AppSecret,
            ["WhatsApp:VerifyToken"] = "verify-me-please",
            ["WhatsApp:PhoneNumberId"] = PhoneNumberId,
            ["WhatsApp:AccessToken"] = "test-graph-token",
            ["WhatsApp:ApiBaseUrl"] = graph.BaseUrl,
            ["WhatsApp:ApiVersion"] = "v21.0",
            ["Rcs:ClientToken"] = "rcs-client-token-0123",
            ["Rcs:AccessToken"] = "rbm-bearer",
            ["Rcs:AgentId"] = "skyways-agent",
            ["Rcs:ApiBaseUrl"] = rbm.BaseUrl,
            ["Outbox:BaseBackoff"] = "00:00:00.050",
            ["Outbox:MaxBackoff"] = "00:00:00.200",
            ["Outbox:Dispatcher:PollInterval"] = "00:00:00.100",
            ["Bots:Enabled"] = "false",
        };
        foreach (var (k, v) in extra ?? []) s[k] = v;
        return s;
    }

    /// <summary>An IANA zone where it is early afternoon now, so the default quiet hours (21:00-09:00) never hold the test up.</summary>
    public static string AfternoonZone()
    {
        var offset = 13 - DateTime.UtcNow.Hour;
        if (offset < -12) offset += 24;
        if (offset > 12) offset -= 24;
        return offset == 0 ? "Etc/UTC" : offset > 0 ? $"Etc/GMT-{offset}" : $"Etc/GMT+{-offset}";
    }

    public static async Task<string> CustomerWritesOnWhatsApp(SiloApp silo, string waId, string messageId, string text)
    {
        // Stamped a minute back, as a customer who wrote before being enrolled: providers stamp whole seconds and a wait
        // counts a message in the second it began, so a message from the same second as the enrolment would count as a reply.
        var r = await WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, messageId, text, DateTimeOffset.UtcNow.AddMinutes(-1), PhoneNumberId), AppSecret);
        r.EnsureSuccessStatusCode();
        string? id = null;
        await Until(async () =>
        {
            var resolve = await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}");
            if (!resolve.IsSuccessStatusCode) return false;
            id = (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.ToString();
            return true;
        }, "the customer exists");
        return id!;
    }

    public static async Task Consent(SiloApp silo, string customerId, string channel, string status)
    {
        var r = await silo.Http.PostAsJsonAsync($"/api/customers/{customerId}/consent",
            new { channel, purpose = "marketing", status, source = "test", evidence = "journey-test" });
        r.EnsureSuccessStatusCode();
    }

    public static async Task<JsonObject> Define(SiloApp silo, string id, string yaml)
    {
        var r = await silo.Http.PutAsync($"/api/journeys/{id}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> Timeline(SiloApp silo, string journey, string customerId)
    {
        var r = await silo.Http.GetAsync($"/api/journeys/{journey}/enrolments/{customerId}");
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task Until(Func<Task<bool>> condition, string what, int seconds = 60, Func<Task<string>>? diagnose = null)
    {
        if (!await Eventually.HoldsAsync(condition, TimeSpan.FromSeconds(seconds)))
            Assert.Fail("Timed out waiting for: " + what + (diagnose is null ? "" : Environment.NewLine + await diagnose()));
    }
}

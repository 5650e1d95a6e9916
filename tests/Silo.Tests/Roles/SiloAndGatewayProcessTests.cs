using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Roles;

/// <summary>
/// One binary, two roles, two processes on one Redis: a <c>Role=gateway</c> process hosts the channels on an Orleans
/// client, a <c>Role=silo</c> process holds the grains and the admin API.
/// </summary>
public sealed class SiloAndGatewayProcessTests
{
    private const string Secret = "roles-test-app-secret";

    [Fact]
    public async Task A_webhook_posted_to_the_gateway_is_a_turn_in_the_silos_grain_and_each_role_serves_only_its_own_endpoints()
    {
        await using var redis = await RedisServer.StartAsync();
        using var siloData = new TempDirectory();
        using var gatewayData = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ClusterId"] = "roles-test",
            ["WhatsApp:AppSecret"] = Secret,
            ["WhatsApp:VerifyToken"] = "roles-verify",
            ["WhatsApp:PhoneNumberId"] = WhatsAppWebhookPost.DefaultPhoneNumberId,
        };
        await using var silo = await EngineProcess.StartAsync(siloData.Path, settings, role: "silo");
        await using var gateway = await EngineProcess.StartAsync(gatewayData.Path, settings, role: "gateway");

        const string waId = "919800000077";
        using (var posted = await WhatsAppWebhookPost.PostSignedAsync(gateway.Http, WhatsAppWebhookPost.Text(waId, "wamid.roles.1", "hello from the gateway"), Secret))
            Assert.True(posted.StatusCode == HttpStatusCode.OK, $"the gateway answered {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");

        // The gateway holds no grains: the turn can only be in the silo's customer grain.
        string? customerId = null;
        JsonElement transcript = default;
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            using var resolved = await silo.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={waId}");
            if (!resolved.IsSuccessStatusCode) return false;
            customerId = (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
            transcript = await silo.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/transcript");
            return transcript.GetProperty("turns").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(30)), "the silo's admin API never showed the turn posted to the gateway");
        var first = transcript.GetProperty("turns")[0];
        Assert.Equal(("whatsapp", "inbound", "hello from the gateway"),
            (first.GetProperty("channel").GetString(), first.GetProperty("direction").GetString(), first.GetProperty("text").GetString()));

        // With the admin key, a route a role does not map is 404: the gateway has no admin API, the silo no webhooks.
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Http.GetAsync($"api/customers/{customerId}/transcript")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={waId}")).StatusCode);
        using (var onSilo = await WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, "wamid.roles.2", "wrong door"), Secret))
            Assert.Equal(HttpStatusCode.NotFound, onSilo.StatusCode);
        // Without a key, deny by default holds in both roles: an unmapped route is not public, so 401 before any 404.
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(gateway.BaseAddress, $"api/customers/{customerId}/transcript"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri(silo.BaseAddress, "webhooks/whatsapp"), new StringContent("{}"))).StatusCode);
        // ...while each role's own public endpoints stay public.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(gateway.BaseAddress, "healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(silo.BaseAddress, "healthz"))).StatusCode);
    }

    [Fact]
    public async Task A_gateway_started_before_any_silo_waits_for_one_and_then_delivers_turns()
    {
        await using var redis = await RedisServer.StartAsync();
        using var siloData = new TempDirectory();
        using var gatewayData = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["WhatsApp:AppSecret"] = Secret,
            ["WhatsApp:VerifyToken"] = "roles-verify",
            ["WhatsApp:PhoneNumberId"] = WhatsAppWebhookPost.DefaultPhoneNumberId,
        };
        var gatewayStarting = EngineProcess.StartAsync(gatewayData.Path, settings, role: "gateway");
        await using var silo = await EngineProcess.StartAsync(siloData.Path, settings, role: "silo");
        await using var gateway = await gatewayStarting;

        const string waId = "919800000078";
        using (var posted = await WhatsAppWebhookPost.PostSignedAsync(gateway.Http, WhatsAppWebhookPost.Text(waId, "wamid.roles.early", "the gateway came first"), Secret))
            Assert.True(posted.StatusCode == HttpStatusCode.OK, $"the gateway answered {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");
        Assert.True(await Eventually.HoldsAsync(async () =>
            (await silo.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={waId}")).IsSuccessStatusCode, TimeSpan.FromSeconds(30)),
            "the silo never knew the customer who wrote through the early gateway");
    }

    [Fact]
    public async Task A_gateway_without_a_redis_connection_string_refuses_to_start_and_says_so()
    {
        using var data = new TempDirectory();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => EngineProcess.StartAsync(data.Path, new Dictionary<string, string?>(), role: "gateway"));
        Assert.Contains("ConnectionStrings:Redis", failure.Message);
    }
}

using System.Net;
using System.Net.Http.Json;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests;

public sealed class OutboxTests
{
    [Fact]
    public async Task The_outbox_keeps_retrying_through_500s_until_the_api_accepts()
    {
        await using var graph = await GraphStandIn.StartAsync();
        // 1 try + 2 in-call retries fail, so the outbox itself must come back for the 4th request.
        graph.FailNext(3, 500);
        await using var silo = await Wire.StartAsync(graph.BaseUrl);
        const string wa = "919822200001";
        var ack = await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.retry.1", "hello"));
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        await Wire.Eventually(async () => (await Wire.Outbox(silo.Http, "&status=sent")).Count > 0, "the reply is eventually sent");
        Assert.Equal(4, graph.Requests.Count(r => r.Body["to"]?.ToString() == wa));
        Assert.Equal([500, 500, 500, 200], graph.Requests.Select(r => r.Status).ToArray());
        var entry = (await Wire.Outbox(silo.Http)).Single()!;
        Assert.True(entry["attempts"]!.GetValue<int>() >= 2, "the outbox made more than one attempt");
        Assert.Single(graph.Accepted);
    }

    [Fact]
    public async Task A_refused_message_is_failed_not_retried()
    {
        await using var graph = await GraphStandIn.StartAsync();
        graph.FailNext(1, 400);
        await using var silo = await Wire.StartAsync(graph.BaseUrl);
        await Wire.PostSigned(silo.Http, Wire.Text("919822200002", "wamid.refused.1", "hello"));
        await Wire.Eventually(async () => (await Wire.Outbox(silo.Http, "&status=failed")).Count == 1, "the reply fails");
        Assert.Single(graph.Requests);
        Assert.Contains("HTTP 400", (await Wire.Outbox(silo.Http)).Single()!["lastError"]!.ToString());
    }

    [Fact]
    public async Task Without_a_token_replies_stay_in_the_local_outbox()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        var ack = await Wire.PostSigned(silo.Http, Wire.Text("919822200003", "wamid.local.1", "menu"));
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var entries = await Wire.Outbox(silo.Http, "&channel=whatsapp");
        var entry = Assert.Single(entries)!;
        Assert.Equal("local", entry["status"]!.ToString());
        Assert.Equal("********0003", entry["recipient"]!.ToString());
        Assert.Contains("\"type\":\"button\"", entry["body"]!.ToString());
    }

    [Fact]
    public async Task The_outbox_listing_needs_the_admin_key()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/outbox")).StatusCode);
    }

    [Fact]
    public async Task Opt_out_then_a_marketing_send_is_refused_with_the_consent_reason()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var silo = await Wire.StartAsync(graph.BaseUrl);
        const string wa = "919822200004";
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.optout.0", "hi"));
        var id = await Wire.CustomerId(silo.Http, wa);

        // Before: marketing needs an opt-in; grant it, then STOP revokes it.
        var grant = await silo.Http.PostAsJsonAsync($"/api/customers/{id}/consent", new { channel = "whatsapp", purpose = "marketing", status = "granted", source = "web-form", evidence = "form 17" });
        Assert.True(grant.IsSuccessStatusCode);
        var send = new { customerId = id, channel = "whatsapp", purpose = "marketing", template = new { name = "spring_sale", language = "en", parameters = new[] { "20%" } } };
        Assert.Equal(HttpStatusCode.Accepted, (await silo.Http.PostAsJsonAsync("/api/outbox", send)).StatusCode);

        var stop = await Wire.Json(await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.optout.1", " stop ")));
        Assert.Equal(1, stop["messages"]!.GetValue<int>());
        await Wire.Eventually(() => Task.FromResult(graph.To(wa).Any(r => r.Body["text"]?["body"]?.ToString().Contains("no longer receive marketing", StringComparison.Ordinal) == true)), "STOP confirmation");

        var refused = await silo.Http.PostAsJsonAsync("/api/outbox", send);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await Wire.Json(refused);
        Assert.EndsWith("/consent", problem["type"]!.ToString());
        Assert.Contains("marketing on whatsapp revoked via whatsapp-keyword", problem["detail"]!.ToString());

        // Transactional replies still flow; START restores marketing.
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.optout.2", "START"));
        Assert.Equal(HttpStatusCode.Accepted, (await silo.Http.PostAsJsonAsync("/api/outbox", send)).StatusCode);
    }

    [Fact]
    public async Task User_preferences_stop_revokes_marketing_at_once()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        await Wire.PostSigned(silo.Http, Wire.Own("text.json", "919822200005", "pref"));
        var id = await Wire.CustomerId(silo.Http, "919822200005");
        await silo.Http.PostAsJsonAsync($"/api/customers/{id}/consent", new { channel = "whatsapp", purpose = "marketing", status = "granted", source = "web-form", evidence = "form 18" });
        var r = await Wire.Json(await Wire.PostSigned(silo.Http, Wire.Own("user_preferences_stop.json", "919822200005", "pref")));
        Assert.Equal(1, r["preferences"]!.GetValue<int>());
        var decision = await Wire.Json(await silo.Http.GetAsync($"/api/customers/{id}/consent/whatsapp/marketing"));
        Assert.False(decision["allowed"]!.GetValue<bool>());
        Assert.Contains("whatsapp-user-preferences", decision["reason"]!.ToString());
    }

    [Fact]
    public async Task Free_form_outside_the_24_hour_window_is_refused_and_a_template_is_allowed()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        const string wa = "919822200006";
        var ack = await Wire.Json(await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.window.1", "old message", DateTimeOffset.UtcNow.AddHours(-25))));
        // The reply to a 25-hour-old message is itself outside the window.
        Assert.Equal(1, ack["repliesRefused"]!.GetValue<int>());
        var id = await Wire.CustomerId(silo.Http, wa);
        var text = await silo.Http.PostAsJsonAsync("/api/outbox", new { customerId = id, channel = "whatsapp", purpose = "transactional", text = "Your bag is found." });
        Assert.Equal(HttpStatusCode.Conflict, text.StatusCode);
        Assert.Contains("outside-service-window", (await Wire.Json(text))["type"]!.ToString());
        var template = await silo.Http.PostAsJsonAsync("/api/outbox", new { customerId = id, channel = "whatsapp", purpose = "transactional", template = new { name = "bag_found", language = "en" } });
        Assert.Equal(HttpStatusCode.Accepted, template.StatusCode);

        // A fresh message reopens the window.
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.window.2", "hello again"));
        Assert.Equal(HttpStatusCode.Accepted, (await silo.Http.PostAsJsonAsync("/api/outbox", new { customerId = id, channel = "whatsapp", purpose = "transactional", text = "Your bag is found." })).StatusCode);
    }

    [Fact]
    public async Task Canary_pii_never_reaches_the_logs()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var silo = await Wire.StartAsync(graph.BaseUrl);
        const string wa = "919822200007";
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.pii.1", "my card is 4111111111111111 and mail asha.rao@example.com, otp 482913"));
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.pii.1", "my card is 4111111111111111 and mail asha.rao@example.com, otp 482913"));
        await Wire.PostSigned(silo.Http, Wire.Text("919822200007", "wamid.pii.2", "x").Replace("\"type\":\"text\"", "\"type\":\"unsupported\"", StringComparison.Ordinal));
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.pii.3", "4111111111111111"), secret: "wrong-secret-123");
        await Wire.Eventually(() => Task.FromResult(graph.To(wa).Any()), "reply");
        var logs = silo.Logs.All;
        Assert.Contains("wamid.pii.1", logs);
        foreach (var canary in new[] { "4111111111111111", "4111 1111", "asha.rao@example.com", "482913", wa, "+" + wa })
            Assert.DoesNotContain(canary, logs);
    }
}

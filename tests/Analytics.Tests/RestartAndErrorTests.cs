using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

public sealed class RestartAndErrorTests
{
    [Fact]
    public async Task Figures_survive_a_restart_and_a_redelivered_event_counts_once()
    {
        using var store = new TempDirectory();
        var engine = await SiloApp.StartAsync(storePath: store.Path);
        try
        {
            await engine.TurnAsync("whatsapp", "919811100021", "r-1", "hello");
            await engine.TurnAsync("webchat", "visitor-r-1", "r-2", "talk to an agent");
            var before = await engine.ReportWhenAsync(3);
            Assert.Equal(2, before.GetProperty("overview").GetProperty("conversations").GetInt64());
        }
        finally
        {
            await engine.DisposeAsync();
        }

        engine = await SiloApp.StartAsync(storePath: store.Path);
        try
        {
            // Read at once after the start: the figures come from the file, not from a replay.
            var after = await engine.ReportAsync();
            Assert.Equal(3, after.GetProperty("overview").GetProperty("events").GetInt64());
            Assert.Equal(0.5, after.GetProperty("overview").GetProperty("containment").GetDouble());
            // The same message again is a duplicate turn (no new event); the same event id posted twice is stored once.
            await engine.TurnAsync("whatsapp", "919811100021", "r-1", "hello");
            var customer = await engine.TurnAsync("whatsapp", "919811100021", "r-3", "hello again");
            var e = new { id = "journey-dup-1", kind = "journey-step", tenant = "airline", customerId = customer, channel = "whatsapp", at = DateTimeOffset.UtcNow, journey = "welcome", step = "greet" };
            Assert.Equal(HttpStatusCode.Accepted, (await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new[] { e } })).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new[] { e, e } })).StatusCode);
            var last = await engine.ReportWhenAsync(5);
            Assert.Equal(3, last.GetProperty("overview").GetProperty("turns").GetInt64());
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bad_ranges_unknown_tenants_and_pii_in_events_get_clear_errors_and_change_nothing()
    {
        await using var engine = await SiloApp.StartAsync();
        async Task Problem(HttpResponseMessage response, HttpStatusCode status, string type)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal($"https://switchboard.dev/problems/{type}", body.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        }
        await Problem(await engine.Http.GetAsync("api/analytics/report?tenant=airline&from=2026-11-30&to=2026-11-01"), HttpStatusCode.BadRequest, "invalid-date-range");
        await Problem(await engine.Http.GetAsync("api/analytics/report?from=yesterday"), HttpStatusCode.BadRequest, "invalid-date-range");
        await Problem(await engine.Http.GetAsync("api/analytics/series?from=2025-01-01&to=2026-11-30&bucket=hour"), HttpStatusCode.BadRequest, "invalid-date-range");
        await Problem(await engine.Http.GetAsync("api/analytics/series?bucket=minute"), HttpStatusCode.BadRequest, "invalid-date-range");
        await Problem(await engine.Http.GetAsync("api/analytics/report?tenant=no-such-brand"), HttpStatusCode.NotFound, "unknown-tenant");
        await Problem(await engine.Http.GetAsync("api/analytics/export/nothing.csv"), HttpStatusCode.NotFound, "unknown-chart");

        var customer = await engine.TurnAsync("whatsapp", "919811100031", "e-1", "hello");
        var ok = new { id = "ok-1", kind = "journey-step", tenant = "airline", customerId = customer, channel = "whatsapp", at = DateTimeOffset.UtcNow, journey = "welcome", step = "greet" };
        var phoneInStep = ok with { id = "bad-1", step = "call-919811100031" };
        await Problem(await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new object[] { ok, phoneInStep } }), HttpStatusCode.BadRequest, "invalid-event");
        await Problem(await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new object[] { ok with { id = "bad-2", journey = "hi there" } } }), HttpStatusCode.BadRequest, "invalid-event");
        await Problem(await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new object[] { ok with { id = "bad-3", customerId = "919811100031" } } }), HttpStatusCode.BadRequest, "invalid-event");
        await Problem(await engine.Http.PostAsJsonAsync("api/analytics/events", new { events = new object[] { ok with { id = "bad-4", tenant = "no-such-brand" } } }), HttpStatusCode.BadRequest, "invalid-event");
        // Only the turn's own event is stored: the refused batch left nothing, not even its valid first event.
        var report = await engine.ReportWhenAsync(1);
        Assert.Equal(0, report.GetProperty("journeys").GetArrayLength());

        using var anonymous = new HttpClient { BaseAddress = engine.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/analytics/report")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);
    }
}

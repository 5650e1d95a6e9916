using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// A gateway (an Orleans client in its own process) publishes onto the analytics stream; the events reach the store of
/// the silo, another process, over the embedded memory streams on Redis clustering.
/// </summary>
public sealed class GatewayEventsTests
{
    [Fact]
    public async Task Events_published_on_a_gateway_reach_the_silos_store()
    {
        await using var redis = await RedisServer.StartAsync();
        using var siloData = new TempDirectory();
        using var gatewayData = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ClusterId"] = "analytics-gateway-test",
        };
        await using var silo = await EngineProcess.StartAsync(siloData.Path, settings, role: "silo");
        await using var gateway = await EngineProcess.StartAsync(gatewayData.Path, settings, role: "gateway");

        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var events = Enumerable.Range(1, 3).Select(i => new
        {
            id = $"gw-{i}", kind = "journey-step", tenant = "airline", customerId = $"c-{i:x20}", channel = "whatsapp", at, journey = "welcome", step = "greet",
        });
        // The gateway may still be joining the cluster: the post itself is accepted at once, delivery follows.
        using (var posted = await gateway.Http.PostAsJsonAsync("api/analytics/events", new { events }))
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        JsonElement report = default;
        var arrived = await Eventually.HoldsAsync(async () =>
        {
            report = await silo.Http.GetFromJsonAsync<JsonElement>("api/analytics/report?tenant=airline");
            return report.GetProperty("journeys").GetArrayLength() == 1
                && report.GetProperty("journeys")[0].GetProperty("enrolled").GetInt64() == 3;
        }, TimeSpan.FromSeconds(60));
        Assert.True(arrived, $"the gateway's events never reached the silo's store: {report}");
        // The gateway keeps no store and serves no report.
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Http.GetAsync("api/analytics/report")).StatusCode);
        Assert.Empty(Directory.GetFiles(gatewayData.Path, "analytics.duckdb*"));
    }
}

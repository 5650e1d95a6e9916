using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>The real engine (SiloApp) with the calls the analytics tests make: turns through /api/turns, the report, events.</summary>
public static class AnalyticsEngine
{
    public static async Task<string> TurnAsync(this SiloApp engine, string channel, string address, string messageId, string text)
    {
        var response = await engine.Http.PostAsJsonAsync("api/turns", new { channel, address, messageId, text });
        Assert.True(response.IsSuccessStatusCode, $"turn {messageId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString()!;
    }

    public static async Task<JsonElement> ReportAsync(this SiloApp engine, string query = "tenant=airline")
    {
        var response = await engine.Http.GetAsync("api/analytics/report?" + query);
        Assert.True(response.IsSuccessStatusCode, $"report: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the store holds <paramref name="events"/> events for the tenant (they travel the stream and a batch writer).</summary>
    public static async Task<JsonElement> ReportWhenAsync(this SiloApp engine, long events, string query = "tenant=airline")
    {
        JsonElement report = default;
        var arrived = await Eventually.HoldsAsync(async () =>
        {
            report = await engine.ReportAsync(query);
            return report.GetProperty("overview").GetProperty("events").GetInt64() >= events;
        }, TimeSpan.FromSeconds(60));
        Assert.True(arrived, $"expected {events} events, the store has: {report}");
        Assert.Equal(events, report.GetProperty("overview").GetProperty("events").GetInt64());
        return report;
    }
}

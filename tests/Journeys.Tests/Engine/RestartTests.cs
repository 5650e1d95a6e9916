using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>
/// An engine process killed (SIGKILL) while every enrolment waits between two sends: after the restart each enrolment
/// resumes from its stored state and its reminder, and each customer gets each step exactly once at the provider.
/// On Redis (state and reminders in Redis) and on the embedded store (what ./run.sh runs: reminders in the journal,
/// Silo/Storage/Reminders; with in-memory reminders nothing would wake the enrolments after the restart).
/// </summary>
public sealed class RestartTests
{
    private const string Journey = """
        journey: across-a-crash
        purpose: marketing
        steps:
          - id: first
            send: { channel: whatsapp, template: first_touch, message: "Before the crash." }
          - id: pause
            wait: { for: 20s }
          - id: second
            send: { channel: whatsapp, template: second_touch, message: "After the crash." }
        """;

    [Theory]
    [InlineData("redis", 12)]
    [InlineData("embedded", 4)]
    public async Task A_process_killed_mid_journey_resumes_every_enrolment_with_nothing_sent_twice_or_skipped(string storage, int customers)
    {
        await using var redis = storage == "redis" ? await RedisServer.StartAsync() : null;
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        using var store = new TempDirectory();
        var extra = new Dictionary<string, string?> { ["Outbox:Dispatcher:PollInterval"] = "00:00:00.200" };
        if (redis is not null)
        {
            extra["ConnectionStrings:Redis"] = redis.ConnectionString;
            // The restarted silo keeps its address, as a restarted pod would: Orleans then retires the killed one at once.
            extra["Orleans:SiloPort"] = FreePort.Tcp().ToString();
            extra["Orleans:GatewayPort"] = FreePort.Tcp().ToString();
        }
        var settings = JourneyEngine.Settings(graph, rbm, extra);

        var engine = await EngineProcess.StartAsync(store.Path, settings, TimeSpan.FromMinutes(3));
        var ids = new List<(string WaId, string CustomerId)>();
        try
        {
            var http = engine.Http;
            http.DefaultRequestHeaders.Authorization = new("Bearer", SiloApp.AdminKey);
            for (var i = 0; i < customers; i++)
            {
                var waId = $"9198000007{i:D2}";
                var r = await WhatsAppWebhookPost.PostSignedAsync(http, WhatsAppWebhookPost.Text(waId, $"wamid.crash.{storage}.{i}", "hello", null, JourneyEngine.PhoneNumberId), JourneyEngine.AppSecret);
                r.EnsureSuccessStatusCode();
                string? id = null;
                await JourneyEngine.Until(async () =>
                {
                    var resolve = await http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}");
                    if (resolve.IsSuccessStatusCode) id = (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.ToString();
                    return id is not null;
                }, "customer " + i);
                (await http.PostAsJsonAsync($"/api/customers/{id}/consent", new { channel = "whatsapp", purpose = "marketing", status = "granted", source = "test", evidence = "crash" })).EnsureSuccessStatusCode();
                ids.Add((waId, id!));
            }
            (await http.PutAsync("/api/journeys/across-a-crash", new StringContent(Journey, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
            var zone = JourneyEngine.AfternoonZone();
            var enrol = await http.PostAsJsonAsync("/api/journeys/across-a-crash/enrolments",
                new { customers = ids.Select(c => new { customerId = c.CustomerId, timeZone = zone }).ToArray() });
            Assert.Equal(customers, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());

            // Every first touch reached the provider and the outbox recorded it as sent: now the power goes.
            await JourneyEngine.Until(() => Task.FromResult(ids.All(c => Count(graph, c.WaId, "Before the crash.") == 1)), "every first touch");
            await JourneyEngine.Until(async () =>
            {
                var list = await http.GetFromJsonAsync<JsonObject>("/api/outbox?limit=1000&channel=whatsapp&status=sent");
                return list!["messages"]!.AsArray().Count(m => m!["summary"]?.ToString() == "[journey first]") == customers;
            }, "the outbox marks every first touch sent");
            Assert.All(ids, c => Assert.Equal(0, Count(graph, c.WaId, "After the crash.")));
        }
        finally
        {
            engine.Kill();
            await engine.DisposeAsync();
        }

        await using var restarted = await EngineProcess.StartAsync(store.Path, settings, TimeSpan.FromMinutes(3));
        await JourneyEngine.Until(() => Task.FromResult(ids.All(c => Count(graph, c.WaId, "After the crash.") >= 1)), "every second touch after the restart", seconds: 180);
        Assert.All(ids, c =>
        {
            Assert.Equal(1, Count(graph, c.WaId, "Before the crash."));
            Assert.Equal(1, Count(graph, c.WaId, "After the crash."));
        });
    }

    private static int Count(GraphStandIn graph, string waId, string text) => graph.To(waId).Count(r => r.Body.ToJsonString().Contains(text));
}

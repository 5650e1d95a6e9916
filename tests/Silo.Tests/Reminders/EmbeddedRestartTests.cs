using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.Journeys.Tests.Engine;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Reminders;

/// <summary>
/// The engine on the embedded store (no Redis: what ./run.sh runs) SIGKILLed while its enrolments wait on a reminder:
/// after the restart the reminders come back from the journal, each enrolment wakes, and each customer gets the next
/// step exactly once. With in-memory reminders nothing would wake them. The Redis twin is Journeys.Tests' RestartTests.
/// </summary>
public sealed class EmbeddedRestartTests
{
    private const int Customers = 4;

    private const string Journey = """
        journey: embedded-crash
        purpose: marketing
        steps:
          - id: first
            send: { channel: whatsapp, template: first_touch, message: "Before the crash." }
          - id: pause
            wait: { for: 30s }
          - id: second
            send: { channel: whatsapp, template: second_touch, message: "After the crash." }
        """;

    [Fact]
    public async Task An_enrolment_waiting_on_a_reminder_resumes_after_a_sigkill_on_the_embedded_store_and_sends_once()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        using var store = new TempDirectory();
        var settings = JourneyEngine.Settings(graph, rbm, new() { ["Outbox:Dispatcher:PollInterval"] = "00:00:00.200" });
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("ConnectionStrings", StringComparison.Ordinal));

        var engine = await EngineProcess.StartAsync(store.Path, settings, TimeSpan.FromMinutes(3));
        var ids = new List<(string WaId, string CustomerId)>();
        try
        {
            var http = engine.Http;
            for (var i = 0; i < Customers; i++)
            {
                var waId = $"9198000008{i:D2}";
                var r = await WhatsAppWebhookPost.PostSignedAsync(http, WhatsAppWebhookPost.Text(waId, $"wamid.embedded.{i}", "hello", null, JourneyEngine.PhoneNumberId), JourneyEngine.AppSecret);
                r.EnsureSuccessStatusCode();
                string? id = null;
                await JourneyEngine.Until(async () =>
                {
                    var resolve = await http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}");
                    if (resolve.IsSuccessStatusCode) id = (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.ToString();
                    return id is not null;
                }, "customer " + i);
                (await http.PostAsJsonAsync($"/api/customers/{id}/consent", new { channel = "whatsapp", purpose = "marketing", status = "granted", source = "test", evidence = "embedded-crash" })).EnsureSuccessStatusCode();
                ids.Add((waId, id!));
            }
            (await http.PutAsync("/api/journeys/embedded-crash", new StringContent(Journey, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
            var zone = JourneyEngine.AfternoonZone();
            var enrol = await http.PostAsJsonAsync("/api/journeys/embedded-crash/enrolments",
                new { customers = ids.Select(c => new { customerId = c.CustomerId, timeZone = zone }).ToArray() });
            Assert.Equal(Customers, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());

            // Every first touch reached the provider and the outbox recorded it as sent: now the power goes.
            await JourneyEngine.Until(() => Task.FromResult(ids.All(c => Count(graph, c.WaId, "Before the crash.") == 1)), "every first touch");
            await JourneyEngine.Until(async () =>
            {
                var list = await http.GetFromJsonAsync<JsonObject>("/api/outbox?limit=1000&channel=whatsapp&status=sent");
                return list!["messages"]!.AsArray().Count(m => m!["summary"]?.ToString() == "[journey first]") == Customers;
            }, "the outbox marks every first touch sent");
            Assert.All(ids, c => Assert.Equal(0, Count(graph, c.WaId, "After the crash.")));
        }
        finally
        {
            engine.Kill();
            await engine.DisposeAsync();
        }

        // Only the reminder can wake them: nothing else touches these customers after the restart.
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

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>The timeline shows each step's message live: queued, then sent, delivered, read or failed as the provider's status webhooks say.</summary>
public sealed class DeliveryStatusTests
{
    private const string Journey = """
        journey: status-watch
        name: One touch, watched
        purpose: marketing
        steps:
          - id: touch
            send: { channel: whatsapp, message: "Status touch for {{model}}." }
          - id: hold
            wait: { for: 2h }
        """;

    [Fact]
    public async Task Status_webhooks_move_each_send_from_queued_to_sent_delivered_read_or_failed_in_the_timeline_without_the_number()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm));
        const string read = "919800000721", failed = "919800000722";
        var readId = await JourneyEngine.CustomerWritesOnWhatsApp(silo, read, "wamid.in.721", "hi");
        var failedId = await JourneyEngine.CustomerWritesOnWhatsApp(silo, failed, "wamid.in.722", "hi");
        foreach (var c in new[] { readId, failedId }) await JourneyEngine.Consent(silo, c, "whatsapp", "granted");
        await JourneyEngine.Define(silo, "status-watch", Journey);

        var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/status-watch/enrolments", new
        {
            customers = new[] { readId, failedId }.Select(c => new { customerId = c, timeZone = JourneyEngine.AfternoonZone(), attributes = new Dictionary<string, string> { ["model"] = "Nexon" } }),
        });
        Assert.Equal(2, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        await JourneyEngine.Until(async () => (await Delivery(silo, readId))?["status"]?.ToString() == "sent"
            && (await Delivery(silo, failedId))?["status"]?.ToString() == "sent", "sent (the Graph API stand-in accepted them)");
        Assert.Equal(2, graph.Accepted.Count(r => r.Body.ToJsonString().Contains("Status touch for Nexon.")));

        // The provider's status webhooks, through the real WhatsApp endpoint (signed as Meta signs them).
        var at = DateTimeOffset.UtcNow;
        var idOf = await OutboxIds(silo);
        await PostStatus(silo, idOf[readId], read, "delivered", at);
        await JourneyEngine.Until(async () => (await Delivery(silo, readId))?["status"]?.ToString() == "delivered", "delivered");
        await PostStatus(silo, idOf[readId], read, "read", at.AddSeconds(1));
        await PostStatus(silo, idOf[failedId], failed, "failed", at.AddSeconds(1));
        await JourneyEngine.Until(async () => (await Delivery(silo, readId))?["status"]?.ToString() == "read", "read");
        await JourneyEngine.Until(async () => (await Delivery(silo, failedId))?["status"]?.ToString() == "failed", "failed");

        var history = (await Delivery(silo, readId))!["history"]!.AsArray().Select(h => h!["status"]!.ToString()).ToList();
        Assert.Equal(["queued", "sent", "delivered", "read"], history);
        Assert.Equal(["queued", "sent", "failed"], (await Delivery(silo, failedId))!["history"]!.AsArray().Select(h => h!["status"]!.ToString()).ToList());
        // A duplicate webhook changes nothing.
        await PostStatus(silo, idOf[readId], read, "read", at.AddSeconds(1));
        Assert.Equal(4, (await Delivery(silo, readId))!["history"]!.AsArray().Count);

        // No number and no provider error text in the timeline: the customer id, statuses and times only.
        foreach (var (customer, number) in new[] { (readId, read), (failedId, failed) })
        {
            var text = (await JourneyEngine.Timeline(silo, "status-watch", customer)).ToJsonString();
            Assert.DoesNotContain(number, text);
            Assert.DoesNotContain(number[2..], text);
            Assert.DoesNotContain("undeliverable", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<JsonNode?> Delivery(SiloApp silo, string customerId) =>
        (await JourneyEngine.Timeline(silo, "status-watch", customerId))["steps"]!.AsArray()
            .SingleOrDefault(s => s!["stepId"]!.ToString() == "touch" && s["outcome"]!.ToString() == "enqueued")?["delivery"];

    /// <summary>Customer id → the provider's id of the journey's message to them, from the operator's outbox listing.</summary>
    private static async Task<Dictionary<string, string>> OutboxIds(SiloApp silo)
    {
        var list = (await silo.Http.GetFromJsonAsync<JsonObject>("/api/outbox?channel=whatsapp"))!;
        var entries = list["messages"]!.AsArray();
        return entries.Select(e => e!.AsObject()).Where(e => e["idempotencyKey"]!.ToString().StartsWith("journey:status-watch:", StringComparison.Ordinal))
            .ToDictionary(e => e["customerId"]!.ToString(), e => e["providerMessageId"]!.ToString());
    }

    private static async Task PostStatus(SiloApp silo, string wamid, string waId, string status, DateTimeOffset at)
    {
        var json = WhatsAppWebhookPost.Status(waId, wamid, status, at, JourneyEngine.PhoneNumberId);
        var r = await WhatsAppWebhookPost.PostSignedAsync(silo.Http, json, JourneyEngine.AppSecret);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }
}

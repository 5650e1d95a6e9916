using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>A customer's reply wakes the enrolment waiting for it: the customer grain pushes, the poll is only the backup.</summary>
public sealed class ReplyPushTests
{
    private const string Journey = """
        journey: reply-push
        name: Answer when they answer
        purpose: marketing
        steps:
          - id: ask
            send: { channel: whatsapp, template: ask_touch, message: "Shall we book your service?" }
          - id: wait-for-reply
            wait: { for: 2h, until: replied }
          - id: answered
            branch: { if: replied, else: end }
          - id: thanks
            send: { channel: whatsapp, template: thanks_touch, message: "Thanks, we will be in touch." }
          - id: end
            exit: {}
        """;

    [Fact]
    public async Task A_reply_wakes_the_waiting_enrolment_at_once_although_the_poll_interval_is_ten_minutes()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm, new() { ["Journeys:EventPollInterval"] = "00:10:00" }));
        const string waId = "919800000481";
        var customerId = await JourneyEngine.CustomerWritesOnWhatsApp(silo, waId, "wamid.push.1", "hello");
        await JourneyEngine.Consent(silo, customerId, "whatsapp", "granted");
        await JourneyEngine.Define(silo, "reply-push", Journey);
        var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/reply-push/enrolments",
            new { customers = new[] { new { customerId, timeZone = JourneyEngine.AfternoonZone() } } });
        Assert.Equal(1, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        await JourneyEngine.Until(() => Task.FromResult(graph.To(waId).Any(r => r.Body.ToJsonString().Contains("Shall we book"))), "the question on WhatsApp");
        await JourneyEngine.Until(async () => (await JourneyEngine.Timeline(silo, "reply-push", customerId))["steps"]!.AsArray()
            .Any(s => s!["stepId"]!.ToString() == "ask" && s["outcome"]!.ToString() == "enqueued"), "the question acknowledged");
        Assert.DoesNotContain(graph.To(waId), r => r.Body.ToJsonString().Contains("Thanks, we will be in touch."));

        // The reply (in the same provider second as anything before it or not): the next step follows within the bound
        // below, far inside the ten-minute poll.
        var reply = await WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, "wamid.push.2", "yes please", null, JourneyEngine.PhoneNumberId), JourneyEngine.AppSecret);
        reply.EnsureSuccessStatusCode();
        await JourneyEngine.Until(() => Task.FromResult(graph.To(waId).Any(r => r.Body.ToJsonString().Contains("Thanks, we will be in touch."))), "the thanks after the reply",
            seconds: 120, diagnose: async () => (await JourneyEngine.Timeline(silo, "reply-push", customerId)).ToJsonString());
        var timeline = await JourneyEngine.Timeline(silo, "reply-push", customerId);
        Assert.Contains(timeline["steps"]!.AsArray(), s => s!["stepId"]!.ToString() == "wait-for-reply" && s["outcome"]!.ToString() == "replied seen");
        Assert.Equal(1, graph.To(waId).Count(r => r.Body.ToJsonString().Contains("Thanks, we will be in touch.")));
    }
}

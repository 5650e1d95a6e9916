using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>A journey through the real engine: enrolment grain, consent registry, outbox, and the WhatsApp and RCS adapters against their stand-ins.</summary>
public sealed class ConsentRevocationTests
{
    private const string Journey = """
        journey: touch-twice
        name: Two touches
        purpose: marketing
        steps:
          - id: first
            send: { channel: best, prefer: [whatsapp, rcs, sms], template: first_touch, message: "First touch for {{model}}." }
          - id: wait-for-reply
            wait: { for: 1h, until: replied }
          - id: second
            send: { channel: best, prefer: [whatsapp, rcs, sms], template: second_touch, message: "Second touch for {{model}}.", suggestions: [Book, Later] }
        """;

    [Fact]
    public async Task Revoking_whatsapp_mid_journey_moves_the_next_send_to_rcs_and_the_trace_says_why()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm));
        const string waId = "919800000471";
        var customerId = await JourneyEngine.CustomerWritesOnWhatsApp(silo, waId, "wamid.journey.1", "hello");
        foreach (var channel in new[] { "whatsapp", "rcs", "sms" }) await JourneyEngine.Consent(silo, customerId, channel, "granted");

        var defined = await JourneyEngine.Define(silo, "touch-twice", Journey);
        Assert.Equal("running", defined["status"]!.ToString());
        var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/touch-twice/enrolments",
            new { customers = new[] { new { customerId, timeZone = JourneyEngine.AfternoonZone(), attributes = new Dictionary<string, string> { ["model"] = "Nexon" } } } });
        var enrolled = (await enrol.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, enrolled["enrolled"]!.GetValue<int>());

        // The first touch goes out on WhatsApp (inside the 24 h window: free-form).
        await JourneyEngine.Until(() => Task.FromResult(graph.To(waId).Any(r => r.Body.ToJsonString().Contains("First touch for Nexon."))), "the first touch on WhatsApp");

        // Enrolling again in the same run changes nothing.
        var again = (await (await silo.Http.PostAsJsonAsync("/api/journeys/touch-twice/enrolments", new { customers = new[] { new { customerId } } })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, again["alreadyEnrolled"]!.GetValue<int>());

        // The customer revokes WhatsApp marketing, then replies: the next step must not use WhatsApp.
        await JourneyEngine.Consent(silo, customerId, "whatsapp", "revoked");
        var reply = await WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, "wamid.journey.2", "ok", null, JourneyEngine.PhoneNumberId), JourneyEngine.AppSecret);
        reply.EnsureSuccessStatusCode();

        await JourneyEngine.Until(() => Task.FromResult(rbm.Requests.Any(r => r.Body.Contains("Second touch for Nexon."))), "the second touch on RCS",
            diagnose: async () => (await JourneyEngine.Timeline(silo, "touch-twice", customerId)).ToJsonString() + Environment.NewLine + string.Join(Environment.NewLine, rbm.Requests.Select(r => r.PathAndQuery + " " + r.Body)));
        var rcs = rbm.Requests.Single(r => r.Body.Contains("Second touch for Nexon."));
        Assert.Contains("/v1/phones/+919800000471/agentMessages", Uri.UnescapeDataString(rcs.PathAndQuery));
        Assert.Contains("\"postbackData\"", rcs.Body);
        Assert.DoesNotContain(graph.To(waId), r => r.Body.ToJsonString().Contains("Second touch"));

        var timeline = await JourneyEngine.Timeline(silo, "touch-twice", customerId);
        var second = timeline["steps"]!.AsArray().Select(s => s!.AsObject()).First(s => s["stepId"]!.ToString() == "second" && s["outcome"]!.ToString() == "decided");
        Assert.Equal("rcs", second["channel"]!.ToString());
        var trace = second["trace"]!.AsArray().Select(t => t!.AsObject()).ToList();
        Assert.Contains(trace, t => t["rule"]!.ToString() == "consent" && t["channel"]!.ToString() == "whatsapp" && t["verdict"]!.ToString() == "refused" && t["reason"]!.ToString().Contains("revoked"));
        Assert.Contains(trace, t => t["rule"]!.ToString() == "fallback" && t["reason"]!.ToString() == "whatsapp -> rcs");
        await JourneyEngine.Until(async () => (await JourneyEngine.Timeline(silo, "touch-twice", customerId))["status"]!.ToString() == "completed", "the journey completes");

        // No address in the timeline: the enrolment keeps the customer id and zones only.
        var text = (await JourneyEngine.Timeline(silo, "touch-twice", customerId)).ToJsonString();
        Assert.DoesNotContain("919800000471", text);

        var counts = (await silo.Http.GetFromJsonAsync<JsonObject>("/api/journeys/touch-twice"))!;
        Assert.Equal("touch-twice", counts["journey"]!.ToString());
    }

    [Fact]
    public async Task A_bad_journey_definition_is_refused_with_line_and_reason_and_changes_nothing()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm));
        var r = await silo.Http.PutAsync("/api/journeys/broken", new StringContent("journey: broken\nsteps:\n  - wait: { for: soon }\n"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("/invalid-journey", problem["type"]!.ToString());
        Assert.Contains("broken.yaml:3:", problem["detail"]!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync("/api/journeys/broken")).StatusCode);
    }
}

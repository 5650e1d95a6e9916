using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests;

/// <summary>
/// The written record of a flow completed on a phone call: queued on the customer's messaging channel through the
/// outbox, under the same consent and window rules as any message.
/// </summary>
public sealed class WrittenConfirmationTests
{
    private static readonly FlowCompletion Rebooked = new("rebook", "rebook", "Rebook a flight",
        "SkyWays Airlines: your new flight is SW 221, 4:00 PM to Mumbai on 25 November. Seat 14C. Booking reference AB12CD.");

    private static WrittenConfirmations Confirmations(SiloApp silo) => silo.App.Services.GetRequiredService<WrittenConfirmations>();

    private static ICustomerGrain Customer(SiloApp silo, string id) =>
        silo.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(GrainKeys.Customer("airline", id));

    private static async Task<string> WroteOnWhatsApp(SiloApp silo, string waId, DateTimeOffset? at = null)
    {
        var ack = await Wire.PostSigned(silo.Http, Wire.Text(waId, $"wamid.{waId}.{Guid.NewGuid():n}", "hello", at));
        ack.EnsureSuccessStatusCode();
        return (await Wire.CustomerId(silo.Http, waId))!;
    }

    private static async Task<List<System.Text.Json.Nodes.JsonNode>> ConfirmationsIn(SiloApp silo, string channel, string customer) =>
        [.. (await Wire.Outbox(silo.Http, "&channel=" + channel))
            .Where(m => m!["customerId"]!.ToString() == customer && m["summary"]!.ToString().Contains("your new flight", StringComparison.Ordinal))
            .Select(m => m!)];

    [Fact]
    public async Task A_confirmation_goes_to_whatsapp_once_and_into_the_transcript()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        var customer = await WroteOnWhatsApp(silo, "919833300001");

        var first = await Confirmations(silo).SendAsync("airline", customer, Rebooked, "call-1/turn/4");
        var again = await Confirmations(silo).SendAsync("airline", customer, Rebooked, "call-1/turn/4");

        Assert.Equal(Channel.WhatsApp, first.Channel);
        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.EntryId, again.EntryId);
        var entry = Assert.Single(await ConfirmationsIn(silo, "whatsapp", customer));
        Assert.Equal("free-form", entry["kind"]!.ToString());
        Assert.Equal("local", entry["status"]!.ToString());
        Assert.Contains("SW 221", entry["body"]!.ToString());
        var transcript = await silo.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/customers/{customer}/transcript");
        Assert.Single(transcript.GetProperty("turns").EnumerateArray(), t => t.GetProperty("channel").GetString() == "whatsapp"
            && t.GetProperty("direction").GetString() == "outbound" && t.GetProperty("text").GetString()!.Contains("your new flight", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_transactional_consent_nothing_is_sent_and_the_next_consented_channel_takes_it()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        var customer = await WroteOnWhatsApp(silo, "919833300002");
        await Customer(silo, customer).RecordConsent(new ConsentChange(Channel.WhatsApp, ConsentPurpose.Transactional, ConsentStatus.Revoked,
            "agent-desk", "customer asked for no WhatsApp messages", default));

        var refused = await Confirmations(silo).SendAsync("airline", customer, Rebooked, "call-2/turn/4");
        Assert.False(refused.Sent);
        Assert.Contains(refused.Refusals, r => r.StartsWith("whatsapp: consent", StringComparison.Ordinal));
        Assert.Contains(refused.Refusals, r => r.StartsWith("sms: consent", StringComparison.Ordinal)); // never wrote on SMS, no grant
        Assert.Empty(await ConfirmationsIn(silo, "whatsapp", customer));
        Assert.Empty(await ConfirmationsIn(silo, "sms", customer));

        await Customer(silo, customer).RecordConsent(new ConsentChange(Channel.Sms, ConsentPurpose.Transactional, ConsentStatus.Granted,
            "web-form", "ticked 'text me about my bookings'", default));
        var bySms = await Confirmations(silo).SendAsync("airline", customer, Rebooked, "call-2/turn/4");
        Assert.Equal(Channel.Sms, bySms.Channel);
        var entry = Assert.Single(await ConfirmationsIn(silo, "sms", customer));
        Assert.Equal("*********0002", entry["recipient"]!.ToString()); // +91… in E.164, masked
        Assert.Empty(await ConfirmationsIn(silo, "whatsapp", customer));
    }

    [Fact]
    public async Task Outside_the_whatsapp_window_the_configured_template_carries_it()
    {
        var longAgo = DateTimeOffset.UtcNow.AddHours(-30);
        await using (var plain = await Wire.StartAsync(graphBaseUrl: null))
        {
            var customer = await WroteOnWhatsApp(plain, "919833300003", longAgo);
            var result = await Confirmations(plain).SendAsync("airline", customer, Rebooked, "call-3/turn/4");
            Assert.False(result.Sent);
            Assert.Contains(result.Refusals, r => r.StartsWith("whatsapp: outside-service-window", StringComparison.Ordinal));
        }

        await using var silo = await Wire.StartAsync(graphBaseUrl: null, new() { ["Outbox:Confirmations:WhatsAppTemplate"] = "booking_update" });
        var templated = await WroteOnWhatsApp(silo, "919833300004", longAgo);
        var sent = await Confirmations(silo).SendAsync("airline", templated, Rebooked, "call-4/turn/4");
        Assert.Equal(Channel.WhatsApp, sent.Channel);
        var entry = Assert.Single(await ConfirmationsIn(silo, "whatsapp", templated));
        Assert.Equal("template", entry["kind"]!.ToString());
        Assert.Contains("booking_update", entry["body"]!.ToString());
        Assert.Contains("SW 221", entry["body"]!.ToString());
    }

    [Fact]
    public async Task A_customer_known_only_by_web_chat_gets_no_message_and_the_reason_says_why()
    {
        await using var silo = await Wire.StartAsync(graphBaseUrl: null);
        var turn = await silo.Http.PostAsJsonAsync("api/turns", new { channel = "webchat", address = "visitor-" + Guid.NewGuid().ToString("n"), messageId = "web-1", text = "hello" });
        turn.EnsureSuccessStatusCode();
        var customer = (await turn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("customerId").GetString()!;

        var result = await Confirmations(silo).SendAsync("airline", customer, Rebooked, "call-5/turn/4");

        Assert.False(result.Sent);
        Assert.Equal(["no phone number known"], result.Refusals);
        Assert.Empty(await ConfirmationsIn(silo, "whatsapp", customer));
    }

    [Fact]
    public async Task A_channel_that_cannot_carry_a_written_confirmation_stops_the_start()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Wire.StartAsync(graphBaseUrl: null, new() { ["Outbox:Confirmations:Channels"] = "whatsapp,voice" }));
        Assert.Contains("'voice' is not a messaging channel", e.ToString());
    }
}

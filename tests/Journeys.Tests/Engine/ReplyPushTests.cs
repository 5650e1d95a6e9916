using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Switchboard.Channels.Tests;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Journeys;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>
/// A customer's reply wakes the enrolment waiting for it: the customer grain pushes, durably (the waiters' set and the
/// customer's flag are stored), so it works after a deactivation and a restart too; the poll (ten minutes here, far
/// beyond every bound below) is only the backup, and the wait's deadline (two hours) never comes.
/// </summary>
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

    private static readonly Dictionary<string, string?> TenMinutePoll = new() { ["Journeys:EventPollInterval"] = "00:10:00" };

    [Fact]
    public async Task A_reply_wakes_the_waiting_enrolment_at_once_although_the_poll_interval_is_ten_minutes()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm, TenMinutePoll));
        const string waId = "919800000481";
        var customerId = await EnrolAndAsk(silo, graph, waId, "push");
        await ReplyAndExpectThanks(silo, graph, waId, customerId, "wamid.push.2");
    }

    [Fact]
    public async Task A_reply_wakes_the_waiting_enrolment_after_the_waiters_and_the_customer_were_deactivated()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm, TenMinutePoll));
        const string waId = "919800000482";
        var customerId = await EnrolAndAsk(silo, graph, waId, "deact");

        // Every idle activation goes (the customer, its waiters, the enrolment): what they knew in memory is gone.
        var grains = silo.App.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        string[] types = [];
        async Task<int> Active()
        {
            types = [.. (await management.GetSimpleGrainStatistics()).Where(s => s.ActivationCount > 0).Select(s => s.GrainType)];
            return types.Count(t => t.Contains("." + nameof(JourneyWaitersGrain), StringComparison.Ordinal) || t.Contains("." + nameof(CustomerGrain), StringComparison.Ordinal)
                && !t.Contains(nameof(CustomerGrain) + "Services", StringComparison.Ordinal));
        }
        Assert.Equal(2, await Active()); // both are active now (and the names below match them)
        await JourneyEngine.Until(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            return await Active() == 0;
        }, "the waiters and the customer deactivated", diagnose: () => Task.FromResult(string.Join(", ", types)));

        await ReplyAndExpectThanks(silo, graph, waId, customerId, "wamid.deact.2");
    }

    [Fact]
    public async Task A_reply_after_a_restart_on_the_same_store_wakes_the_waiting_enrolment_at_once()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        using var store = new TempDirectory();
        var settings = JourneyEngine.Settings(graph, rbm, TenMinutePoll);
        const string waId = "919800000483";
        string customerId;
        await using (var before = await SiloApp.StartAsync(settings, store.Path))
            customerId = await EnrolAndAsk(before, graph, waId, "restart");

        await using var silo = await SiloApp.StartAsync(settings, store.Path);
        await ReplyAndExpectThanks(silo, graph, waId, customerId, "wamid.restart.2");
    }

    [Fact]
    public async Task A_customer_nobody_waits_on_writes_one_record_a_turn_and_the_flag_is_written_only_when_it_flips()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm, TenMinutePoll));
        var journal = silo.App.Services.GetRequiredService<IJournalStore>();
        const string quietWaId = "919800000484";
        var quiet = await JourneyEngine.CustomerWritesOnWhatsApp(silo, quietWaId, "wamid.quiet.1", "hello");
        var stream = CustomerGrain.StreamOf("airline", quiet);
        for (var i = 2; i <= 4; i++)
        {
            var before = (await journal.ReadAsync(stream)).Version;
            await Turn(silo, quietWaId, $"wamid.quiet.{i}", "just saying");
            await JourneyEngine.Until(async () => (await journal.ReadAsync(stream)).Version > before, "turn " + i + " written");
            // One record for the turn, nothing for journeys.
            Assert.Equal(before + 1, (await journal.ReadAsync(stream)).Version);
        }
        Assert.Equal(0, (await journal.ReadAsync(JourneyWaitersGrain.StreamOf(JourneyKeys.Ledger("airline", quiet)))).Version);

        // A customer waited on: arming is one record (when the wait began), each turn one record, the flag's clearing one
        // (on the first turn after nobody waits any more), then one a turn again.
        const string waId = "919800000485";
        var customerId = await EnrolAndAsk(silo, graph, waId, "flag");
        var customerStream = CustomerGrain.StreamOf("airline", customerId);
        var armed = (await journal.ReadAsync(customerStream)).Version;
        await ReplyAndExpectThanks(silo, graph, waId, customerId, "wamid.flag.2");
        var waiters = JourneyWaitersGrain.StreamOf(JourneyKeys.Ledger("airline", customerId));
        await JourneyEngine.Until(async () => await WaitersCount(journal, silo, waiters) == 0, "the enrolment off the waiters' list");
        var afterReply = (await journal.ReadAsync(customerStream)).Version;
        Assert.Equal(armed + 1, afterReply);
        await Turn(silo, waId, "wamid.flag.3", "thanks");
        await JourneyEngine.Until(async () => (await journal.ReadAsync(customerStream)).Version >= afterReply + 2, "the turn and the flag cleared");
        await Turn(silo, waId, "wamid.flag.4", "bye");
        await JourneyEngine.Until(async () => (await journal.ReadAsync(customerStream)).Version >= afterReply + 3, "the next turn");
        Assert.Equal(afterReply + 3, (await journal.ReadAsync(customerStream)).Version);
    }

    private static async Task<int> WaitersCount(IJournalStore journal, SiloApp silo, string stream)
    {
        var contents = await journal.ReadAsync(stream);
        if (contents.Snapshot is not { } snapshot) return 0;
        var serializer = silo.App.Services.GetRequiredService<Orleans.Serialization.Serializer>();
        return serializer.Deserialize<JourneyWaitersState>(snapshot)?.Waiting.Count ?? 0;
    }

    private static async Task Turn(SiloApp silo, string waId, string messageId, string text) =>
        (await WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, messageId, text, null, JourneyEngine.PhoneNumberId), JourneyEngine.AppSecret)).EnsureSuccessStatusCode();

    /// <summary>A customer who wrote once, enrolled: the question is sent and acknowledged, the enrolment waits for a reply.</summary>
    private static async Task<string> EnrolAndAsk(SiloApp silo, GraphStandIn graph, string waId, string tag)
    {
        var customerId = await JourneyEngine.CustomerWritesOnWhatsApp(silo, waId, $"wamid.{tag}.1", "hello");
        await JourneyEngine.Consent(silo, customerId, "whatsapp", "granted");
        await JourneyEngine.Define(silo, "reply-push", Journey);
        var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/reply-push/enrolments",
            new { customers = new[] { new { customerId, timeZone = JourneyEngine.AfternoonZone() } } });
        Assert.Equal(1, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        await JourneyEngine.Until(() => Task.FromResult(graph.To(waId).Any(r => r.Body.ToJsonString().Contains("Shall we book"))), "the question on WhatsApp");
        await JourneyEngine.Until(async () => (await JourneyEngine.Timeline(silo, "reply-push", customerId))["steps"]!.AsArray()
            .Any(s => s!["stepId"]!.ToString() == "ask" && s["outcome"]!.ToString() == "enqueued"), "the question acknowledged");
        Assert.DoesNotContain(graph.To(waId), r => r.Body.ToJsonString().Contains("Thanks, we will be in touch."));
        return customerId;
    }

    /// <summary>
    /// The reply (in the same provider second as anything before it or not): the next step follows within the bound
    /// below, far inside the ten-minute poll and the two-hour deadline.
    /// </summary>
    private static async Task ReplyAndExpectThanks(SiloApp silo, GraphStandIn graph, string waId, string customerId, string messageId)
    {
        await Turn(silo, waId, messageId, "yes please");
        await JourneyEngine.Until(() => Task.FromResult(graph.To(waId).Any(r => r.Body.ToJsonString().Contains("Thanks, we will be in touch."))), "the thanks after the reply",
            seconds: 120, diagnose: async () => (await JourneyEngine.Timeline(silo, "reply-push", customerId)).ToJsonString());
        var timeline = await JourneyEngine.Timeline(silo, "reply-push", customerId);
        Assert.Contains(timeline["steps"]!.AsArray(), s => s!["stepId"]!.ToString() == "wait-for-reply" && s["outcome"]!.ToString() == "replied seen");
        Assert.Equal(1, graph.To(waId).Count(r => r.Body.ToJsonString().Contains("Thanks, we will be in touch.")));
    }
}

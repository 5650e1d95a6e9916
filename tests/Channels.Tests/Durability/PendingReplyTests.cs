using Microsoft.Extensions.DependencyInjection;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests.Durability;

/// <summary>
/// A reply is durable with its turn, not with its send: when the provider is down and the engine stops, the reply
/// stays pending in the customer's journal, and the next start sends it, once.
/// </summary>
public sealed class PendingReplyTests
{
    [Fact]
    public async Task A_reply_the_provider_never_took_is_sent_after_a_restart_exactly_once()
    {
        using var store = new TempDirectory();
        await using var graph = await GraphStandIn.StartAsync();
        const string wa = "919822200777";
        // The provider fails every attempt for now; retries back off to the test's 200 ms ceiling.
        graph.Down();
        await using (var first = await SiloApp.StartAsync(Wire.Settings(graph.BaseUrl), store.Path))
        {
            var ack = await Wire.Json(await Wire.PostSigned(first.Http, Wire.Text(wa, "wamid.pending.1", "menu")));
            Assert.Equal(1, ack["repliesQueued"]!.GetValue<int>());
            await Wire.Eventually(() => Task.FromResult(graph.Requests.Count >= 2), "two failed attempts at the provider");
            Assert.Empty(graph.Accepted);
            Assert.Empty(await Wire.Outbox(first.Http, "&channel=whatsapp"));
        }

        graph.Heal();
        await using var second = await SiloApp.StartAsync(Wire.Settings(graph.BaseUrl), store.Path);
        await Wire.Eventually(async () => (await Wire.Outbox(second.Http, "&channel=whatsapp")).Count == 1, "the pending reply sent after the restart");
        Assert.Single(graph.To(wa));
        var customer = await Wire.CustomerId(second.Http, wa);
        Assert.Equal($"whatsapp-reply:{customer}:wamid.pending.1:0", (await Wire.Outbox(second.Http, "&channel=whatsapp"))[0]!["idempotencyKey"]!.ToString());
    }

    [Fact]
    public async Task A_redelivery_while_the_reply_is_pending_sends_it_once()
    {
        await using var graph = await GraphStandIn.StartAsync();
        const string wa = "919822200778";
        graph.Down();
        await using var silo = await Wire.StartAsync(graph.BaseUrl);
        await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.pending.2", "menu"));
        var again = await Wire.Json(await Wire.PostSigned(silo.Http, Wire.Text(wa, "wamid.pending.2", "menu")));
        Assert.Equal(1, again["duplicates"]!.GetValue<int>());

        graph.Heal();
        await Wire.Eventually(async () => (await Wire.Outbox(silo.Http, "&channel=whatsapp")).Count == 1, "the reply sent once the provider is back");
        var dispatcher = silo.App.Services.GetRequiredService<Switchboard.Channels.Outbox.ReplyDispatcher>();
        await Wire.Eventually(() => Task.FromResult(dispatcher.InFlight == 0), "the dispatcher idle");
        Assert.Single(graph.To(wa));
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests.Durability;

/// <summary>
/// A real engine process takes signed WhatsApp webhooks from concurrent senders and is SIGKILLed in the middle of the
/// load; its replies go to a Graph API stand-in after the webhook is answered (they are durable with the turn). After a
/// restart on the same data, every message that got a 200 is in its customer's transcript once, and its reply is
/// sent (the ones the crash cut off are resumed) and recorded exactly once in the outbox; a redelivery of an
/// acknowledged message changes nothing.
/// </summary>
public sealed class KillUnderLoadTests
{
    private const string Secret = "kill-test-app-secret";
    private const int Senders = 8;

    // The restarted silo keeps its address, as a restarted pod or host would: Orleans then retires the killed one at once.
    private readonly string _siloPort = FreePort.Tcp().ToString(), _gatewayPort = FreePort.Tcp().ToString();

    private Dictionary<string, string?> Settings(GraphStandIn graph, RedisServer? redis) => new()
    {
        ["ConnectionStrings:Redis"] = redis?.ConnectionString,
        ["Orleans:SiloPort"] = _siloPort,
        ["Orleans:GatewayPort"] = _gatewayPort,
        ["WhatsApp:AppSecret"] = Secret,
        ["WhatsApp:VerifyToken"] = "kill-verify",
        ["WhatsApp:AccessToken"] = "kill-token",
        ["WhatsApp:PhoneNumberId"] = WhatsAppWebhookPost.DefaultPhoneNumberId,
        ["WhatsApp:ApiBaseUrl"] = graph.BaseUrl,
        ["WhatsApp:MaxSendsPerSecond"] = "1000",
    };

    [Theory]
    [InlineData("file")]
    [InlineData("redis")]
    public async Task Every_acknowledged_webhook_survives_a_sigkill_with_exactly_one_reply(string store)
    {
        using var data = new TempDirectory();
        await using var graph = await GraphStandIn.StartAsync();
        await using var redis = store == "redis" ? await RedisServer.StartAsync() : null;
        var acknowledged = new ConcurrentDictionary<string, (string WaId, string Text)>();
        var engine = await EngineProcess.StartAsync(data.Path, Settings(graph, redis));
        using var stop = new CancellationTokenSource();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            var waId = $"9198700{s:D5}";
            for (var n = 0; n < 10_000 && !stop.IsCancellationRequested; n++)
            {
                var wamid = $"wamid.kill.{s}.{n}";
                var text = $"status of my booking please, message {n} from sender {s}";
                try
                {
                    using var response = await WhatsAppWebhookPost.PostSignedAsync(engine.Http, WhatsAppWebhookPost.Text(waId, wamid, text), Secret);
                    if (!response.IsSuccessStatusCode) continue;
                    acknowledged[wamid] = (waId, text);
                    if (acknowledged.Count >= 240) enough.TrySetResult();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return; // the engine is gone: this message was never acknowledged
                }
            }
        })).ToList();

        Assert.True(await Task.WhenAny(enough.Task, Task.Delay(TimeSpan.FromMinutes(3))) == enough.Task, "the load never reached 240 acknowledged webhooks");
        engine.Kill();
        stop.Cancel();
        await Task.WhenAll(senders);
        await engine.DisposeAsync();

        await using var restarted = await EngineProcess.StartAsync(data.Path, Settings(graph, redis));
        // Replies cut off by the crash are resumed from the journal and sent now. Wait for each acknowledged message's
        // own reply: the count alone is reached early by replies to messages the crash processed but never acknowledged.
        var customers = new Dictionary<string, string>();
        foreach (var waId in acknowledged.Values.Select(a => a.WaId).Distinct())
            customers[waId] = (await restarted.Http.GetFromJsonAsync<JsonElement>($"api/customers/resolve?channel=whatsapp&address={waId}")).GetProperty("customerId").GetString()!;
        var expectedKeys = acknowledged.Select(a => $"whatsapp-reply:{customers[a.Value.WaId]}:{a.Key}:0").ToList();
        Assert.True(await Eventually.HoldsAsync(async () => (await ReplyKeys(restarted)).ToHashSet().IsSupersetOf(expectedKeys), TimeSpan.FromSeconds(90)),
            "the replies of acknowledged messages were not all sent after the restart");
        var replies = await ReplyKeys(restarted);
        foreach (var group in acknowledged.GroupBy(a => a.Value.WaId))
        {
            var customerId = customers[group.Key];
            var transcript = await restarted.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/transcript");
            var inbound = transcript.GetProperty("turns").EnumerateArray()
                .Where(t => t.GetProperty("direction").GetString() == "inbound").Select(t => t.GetProperty("text").GetString()).ToList();
            Assert.True(graph.To(group.Key).Count() >= group.Count(), $"the provider got fewer replies than sender {group.Key} had acknowledged");
            foreach (var (wamid, message) in group)
            {
                Assert.Equal(1, inbound.Count(t => t == message.Text));
                Assert.Equal(1, replies.Count(k => k == $"whatsapp-reply:{customerId}:{wamid}:0"));
            }
        }

        // Meta redelivers what it thinks failed: an acknowledged message redelivered has no second effect.
        var (again, first) = acknowledged.First();
        using (var redelivered = await WhatsAppWebhookPost.PostSignedAsync(restarted.Http, WhatsAppWebhookPost.Text(first.WaId, again, first.Text), Secret))
            Assert.True(redelivered.IsSuccessStatusCode);
        var firstCustomer = (await restarted.Http.GetFromJsonAsync<JsonElement>($"api/customers/resolve?channel=whatsapp&address={first.WaId}")).GetProperty("customerId").GetString();
        var afterRedelivery = await restarted.Http.GetFromJsonAsync<JsonElement>($"api/customers/{firstCustomer}/transcript");
        Assert.Equal(1, afterRedelivery.GetProperty("turns").EnumerateArray().Count(t => t.GetProperty("direction").GetString() == "inbound" && t.GetProperty("text").GetString() == first.Text));
        var keys = await ReplyKeys(restarted);
        Assert.Equal(1, keys.Count(k => k == $"whatsapp-reply:{firstCustomer}:{again}:0"));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // Every recorded reply reached the provider (a send the crash interrupted after Graph took it may reach it twice).
        Assert.True(graph.Accepted.Count() >= replies.Count);
    }

    private static async Task<List<string>> ReplyKeys(EngineProcess engine)
    {
        var listing = await engine.Http.GetFromJsonAsync<JsonElement>("api/outbox?channel=whatsapp&limit=1000");
        return listing.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("idempotencyKey").GetString()!).ToList();
    }
}

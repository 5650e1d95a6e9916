using System.Net;
using System.Text.Json;
using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// Redis (membership, grain state, the journal) restarts: while it is down a webhook gets 503 cluster-unavailable with
/// Retry-After and is not recorded; once it is back the cluster recovers on its own, the refused message sent again is
/// one turn, and what was acknowledged before the outage is still there.
/// </summary>
[Collection("cluster")]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const string WaId = "919814000001";

    [Fact]
    public async Task While_redis_is_down_webhooks_get_503_with_retry_after_and_the_cluster_recovers_on_its_own()
    {
        await using var cluster = await LocalCluster.StartAsync(1, 1, ClusterSettings.Base());
        var gateway = cluster.Gateways[0].Http;
        using (var before = await Post(gateway, "wamid.redis.before", "note before the outage"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await cluster.Redis.KillAsync();
        var downAt = DateTime.UtcNow;
        HttpResponseMessage? refused = null;
        var attempt = 0;
        // Until a request runs into the outage, one may still be answered from memory: a fresh message each time.
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            refused?.Dispose();
            refused = await Post(gateway, $"wamid.redis.during.{attempt}", $"note during the outage {attempt++}");
            return refused.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(90)), $"no 503 while Redis was down; last answer {(int?)refused?.StatusCode}: {await refused!.Content.ReadAsStringAsync()}");
        output.WriteLine($"first 503 {(DateTime.UtcNow - downAt).TotalSeconds:F1} s after Redis went down, after {attempt} posts");
        Assert.NotNull(refused!.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("https://switchboard.dev/problems/cluster-unavailable", problem.GetProperty("type").GetString());
        var refusedId = $"wamid.redis.during.{attempt - 1}";
        var refusedText = $"note during the outage {attempt - 1}";
        refused.Dispose();

        await cluster.Redis.RestartAsync();
        var upAt = DateTime.UtcNow;
        // Meta retries the refused delivery with the same message id until it is acknowledged.
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            using var retried = await Post(gateway, refusedId, refusedText);
            return retried.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(120)), "the cluster did not recover on its own after Redis came back");
        output.WriteLine($"recovered {(DateTime.UtcNow - upAt).TotalSeconds:F1} s after Redis was back");

        var silo = cluster.Silos[0].Http;
        var customer = await Transcripts.ResolveAsync(silo, "whatsapp", WaId);
        Assert.NotNull(customer);
        var inbound = (await Transcripts.ReadAsync(silo, customer)).Where(t => t is { Channel: "whatsapp", Direction: "inbound" }).Select(t => t.Text).ToList();
        Assert.Single(inbound, t => t == "note before the outage");
        Assert.Single(inbound, t => t == refusedText);
        // Every line is there at most once: a refused attempt left nothing half-written that its retry then doubled.
        Assert.Equal(inbound.Count, inbound.Distinct().Count());
    }

    private static Task<HttpResponseMessage> Post(HttpClient gateway, string messageId, string text) =>
        WhatsAppWebhookPost.PostSignedAsync(gateway, WhatsAppWebhookPost.Text(WaId, messageId, text), ClusterSettings.AppSecret);
}

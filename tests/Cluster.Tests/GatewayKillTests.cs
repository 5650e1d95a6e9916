using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>A gateway SIGKILLed under load: the other keeps serving, and every webhook a gateway acknowledged is a turn.</summary>
[Collection("cluster")]
public sealed class GatewayKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task When_a_gateway_is_killed_the_other_keeps_serving_and_no_acknowledged_webhook_is_lost()
    {
        await using var cluster = await LocalCluster.StartAsync(2, 2, ClusterSettings.Base());
        var live = cluster.Gateways.Select(g => g.BaseAddress).ToList();
        await using var load = new WebhookLoad(10, () => live, "12");
        Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedCount(c) >= 3, TimeSpan.FromSeconds(120)),
            "the cluster did not answer every customer before the kill");

        var killedAt = DateTime.UtcNow;
        cluster.Gateways[0].Kill();
        Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedSince(c, killedAt) >= 3, TimeSpan.FromSeconds(120)),
            $"the surviving gateway did not serve every customer: acknowledged since the kill {string.Join(",", Enumerable.Range(0, load.Customers).Select(c => load.AckedSince(c, killedAt)))}; " +
            $"last failures: {string.Join(" | ", load.Failures.TakeLast(6).Select(f => $"{f.Status} {f.Body}"))}");
        await load.StopAsync();

        // After the kill only the second gateway can have acknowledged anything: it served every customer.
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => probe.GetAsync(new Uri(cluster.Gateways[0].BaseAddress, "healthz")));
        output.WriteLine($"longest pause of a customer across the gateway kill: {load.LongestPauseAcross(killedAt).TotalSeconds:F1} s; failed attempts (retried on the other gateway): {load.Failures.Count}");
        var (acked, lost, duplicated, problems) = await Transcripts.CheckExactlyOnceAsync(cluster.Silos[0].Http, load);
        output.WriteLine($"acknowledged webhooks {acked}, lost {lost}, duplicated {duplicated}");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(20)));
    }
}

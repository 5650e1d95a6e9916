using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// A rolling restart of all three silos under load: each in turn gets SIGTERM (it leaves the membership and hands its
/// grains off), a fresh silo joins, and only then the next goes. No acknowledged turn is lost, none is processed twice.
/// </summary>
[Collection("cluster")]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Restarting_every_silo_in_turn_under_load_loses_and_duplicates_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 1, ClusterSettings.Base());
        await using var load = new WebhookLoad(10, () => [cluster.Gateways[0].BaseAddress], "13");
        Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedCount(c) >= 2, TimeSpan.FromSeconds(120)),
            "the cluster did not answer every customer before the restarts");

        for (var i = 0; i < 3; i++)
        {
            var old = cluster.Silos[i];
            await old.TerminateAsync();
            Assert.True(old.HasExited);
            cluster.Silos[i] = await cluster.StartSiloAsync();
            await old.DisposeAsync();
            var restartedAt = DateTime.UtcNow;
            Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedSince(c, restartedAt) >= 2, TimeSpan.FromSeconds(120)),
                $"not every customer was answered after silo {i + 1} was restarted");
            output.WriteLine($"silo {i + 1} restarted; failed attempts so far {load.Failures.Count}");
        }
        await load.StopAsync();

        var (acked, lost, duplicated, problems) = await Transcripts.CheckExactlyOnceAsync(cluster.Silos[0].Http, load);
        output.WriteLine($"acknowledged turns {acked}, lost {lost}, duplicated {duplicated}; ack latency p50 {load.LatencyPercentile(50):F0} ms, p99 {load.LatencyPercentile(99):F0} ms");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(20)));
        Assert.True(acked >= 10 * 8);
    }
}

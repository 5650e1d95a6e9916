using Switchboard.TestSupport;
using Switchboard.Voice.Tests;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// Issue 11's first fault: a silo SIGKILLed under load (3 silos, 2 gateways, real redis-server, real processes). Nothing
/// acknowledged is lost or doubled, every customer is answered again, and a SIP call held on a gateway keeps its media and
/// gets its next turn answered on whichever silo now holds the caller's grain. Figures go to the test output; the timed
/// version (p99, time back to steady state) is <c>bench -- load --kill-silo</c>.
/// </summary>
[Collection("cluster")]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    private const string Caller = "+919800000900";

    [Fact]
    public async Task A_silo_killed_under_load_loses_no_acknowledged_turn_and_every_customer_and_a_held_call_are_answered_again()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 2, ClusterSettings.Base());
        await using var load = new WebhookLoad(12, () => cluster.Gateways.Select(g => g.BaseAddress).ToList(), "11");
        Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedCount(c) >= 3, TimeSpan.FromSeconds(120)),
            $"the cluster did not answer every customer before the kill: acknowledged {string.Join(",", Enumerable.Range(0, 12).Select(load.AckedCount))}; failed attempts {load.Failures.Count}");

        // A call held on gateway 1: media flows before the kill.
        using var call = new TestUac(cluster.GatewaySipPorts[0], Caller);
        using (var setup = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await call.CallAsync(setup.Token);
            await call.ReceiveRtpUntilAsync((_, _) => true, setup.Token);
        }
        var survivor = cluster.Silos[0].Http;
        var voiceTurnsBefore = await VoiceTurnsAsync(survivor);

        var killedAt = DateTime.UtcNow;
        cluster.Silos[1].Kill();
        output.WriteLine($"silo2 (pid {cluster.Silos[1].Pid}) SIGKILLed at {killedAt:HH:mm:ss.fff}");

        // The call's media keeps flowing from its gateway, and a digit keyed after the kill is a turn that is answered.
        using (var media = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            var packets = await call.ReceiveRtpUntilAsync((_, _) => true, media.Token);
            Assert.True(packets >= 1);
        }
        using (var keying = new CancellationTokenSource(TimeSpan.FromSeconds(10))) await call.KeyAsync("1", keying.Token);
        var answered = await Eventually.HoldsAsync(async () =>
        {
            var turns = await VoiceTurnsAsync(survivor);
            return turns.Inbound > voiceTurnsBefore.Inbound && turns.Outbound > voiceTurnsBefore.Outbound;
        }, TimeSpan.FromSeconds(90));
        Assert.True(answered, "the call's turn keyed after the silo was killed was not answered");

        Assert.True(await Transcripts.ForEveryCustomerAsync(load, c => load.AckedSince(c, killedAt) >= 3, TimeSpan.FromSeconds(120)),
            "not every customer was answered again after the kill");
        await load.StopAsync();
        output.WriteLine($"longest pause of a customer across the kill (last answer before to first after): {load.LongestPauseAcross(killedAt).TotalSeconds:F1} s " +
                         "(membership: probe timeout 1 s, 3 missed probes, 2 votes; Orleans:Membership in Silo/appsettings.json)");
        output.WriteLine($"webhook ack latency over the run: p50 {load.LatencyPercentile(50):F0} ms, p99 {load.LatencyPercentile(99):F0} ms, max {load.LatencyPercentile(100):F0} ms; failed attempts (retried): {load.Failures.Count}");
        foreach (var status in load.Failures.GroupBy(f => f.Status?.ToString() ?? f.Body)) output.WriteLine($"  failed attempts {status.Key}: {status.Count()}");

        var (acked, lost, duplicated, problems) = await Transcripts.CheckExactlyOnceAsync(survivor, load);
        output.WriteLine($"acknowledged turns {acked}, lost {lost}, duplicated {duplicated}");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(20)));
        Assert.True(acked > 12 * 6);

        using var bye = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await call.ByeAsync(bye.Token);
    }

    private static async Task<(int Inbound, int Outbound)> VoiceTurnsAsync(HttpClient silo)
    {
        var customer = await Transcripts.ResolveAsync(silo, "voice", Caller);
        if (customer is null) return (0, 0);
        var voice = (await Transcripts.ReadAsync(silo, customer)).Where(t => t.Channel == "voice").ToList();
        return (voice.Count(t => t.Direction == "inbound"), voice.Count(t => t.Direction == "outbound"));
    }
}

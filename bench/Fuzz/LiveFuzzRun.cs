using System.Diagnostics;

namespace Switchboard.Bench.Fuzz;

public sealed record LiveFuzzReport(IReadOnlyList<CampaignResult> Campaigns, double PeakMemoryMb, bool Options, bool Health, bool Call)
{
    public bool Passed => Campaigns.All(c => c.Crashes == 0 && c.Hangs == 0) && Options && Health && Call;
}

/// <summary>Starts the engine, runs the chosen campaigns one after another, then checks it still serves. Shared by the benchmark and its bounded test.</summary>
public static class LiveFuzzRun
{
    public static async Task<LiveFuzzReport> RunAsync(CampaignSizes sizes, IReadOnlyCollection<string> only, string corpora, Action<string> print)
    {
        await using var engine = await LiveEngine.StartAsync(rtpBase: 36_000 + Random.Shared.Next(0, 20) * 200);
        print($"fuzz-live: engine pid {engine.Process.ProcessId}, SIP 127.0.0.1:{engine.SipPort}, HTTP {engine.Process.BaseAddress}");
        var campaigns = new LiveCampaigns(engine, corpora);
        var results = new List<CampaignResult>();
        async Task Run(string name, Func<Task<CampaignResult>> campaign)
        {
            if (!only.Contains(name)) return;
            var clock = Stopwatch.StartNew();
            var r = await campaign();
            results.Add(r);
            print($"  {r.Name,-32} tried {r.Tried,7}  crashes {r.Crashes}  hangs {r.Hangs}  ({clock.Elapsed.TotalSeconds:F0} s; {r.Detail})");
        }
        await Run("sip", () => campaigns.SipAsync(sizes.SipMessages));
        await Run("media", () => campaigns.MediaAsync(sizes.MediaPackets));
        await Run("chat", () => campaigns.ChatAsync(sizes.ChatFrames));
        await Run("webhooks", () => campaigns.WebhooksAsync(sizes.WebhookBodies));
        var peak = engine.Alive ? engine.PeakMemoryMb() : double.NaN;
        var (options, health, call) = engine.Alive ? await campaigns.StillServesAsync() : (false, false, false);
        var report = new LiveFuzzReport(results, peak, options, health, call);
        print($"  total tried {results.Sum(r => r.Tried)}, crashes {results.Sum(r => r.Crashes)}, hangs {results.Sum(r => r.Hangs)}, engine peak memory {peak:F0} MB");
        print($"  afterwards: OPTIONS {(options ? "200" : "NO ANSWER")}, /healthz {(health ? "200" : "NO ANSWER")}, real call {(call ? "answered, media, BYE 200" : "FAILED")}");
        print(report.Passed ? "fuzz-live: passed" : "fuzz-live: FAILED");
        return report;
    }
}

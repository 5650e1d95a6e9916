using System.Globalization;
using Switchboard.Bench.Webhooks;

namespace Switchboard.Bench.Analytics;

/// <summary>
/// <c>dotnet run -c Release --project bench -- analytics-publish [--rounds 3] [--senders 16] [--customers 400] [--turns 4]</c>.
/// What analytics adds to the webhook path: the engine on the embedded file store (the webhook benchmark's <c>file</c>
/// peer, same closed loop) with <c>Analytics:Enabled=false</c> and <c>=true</c>, alternated in one process
/// (off, on, on, off, off, on…: drift of the shared machine falls on both), reply p99 of each mode pooled over its
/// rounds and the ratio on ÷ off (target ≤ 1.05×).
/// </summary>
public sealed class PublishCostBenchmark : IBenchmark
{
    public string Name => "analytics-publish";
    public string Description => "webhook reply p99 with analytics on vs off (file store, alternated rounds in one run; target <= 1.05x)";

    public async Task<int> RunAsync(string[] args)
    {
        var rounds = Math.Max(1, Options.Int(args, "--rounds", 3));
        var shape = new LoadShape(
            Senders: Math.Max(1, Options.Int(args, "--senders", 16)),
            Customers: Math.Max(1, Options.Int(args, "--customers", 400)),
            Turns: Math.Max(1, Options.Int(args, "--turns", 4)),
            WarmupCustomers: 64,
            MaxSeconds: TimeSpan.FromSeconds(Math.Max(1, Options.Int(args, "--seconds", 120))),
            ReplyTimeout: TimeSpan.FromSeconds(10),
            Settle: TimeSpan.FromMilliseconds(300));
        await using var graph = await GraphStandIn.StartAsync();
        Console.WriteLine($"analytics-publish: {shape}; {rounds} rounds per mode, {Environment.ProcessorCount} cores");
        var load = new ClosedLoopLoad(shape, graph);
        var pooled = new Dictionary<bool, (Percentiles Reply, double Seconds, int Acked)>
        {
            [false] = (new Percentiles(), 0, 0),
            [true] = (new Percentiles(), 0, 0),
        };
        var failed = false;
        // ABBA order: off, on, on, off, off, on, …
        var order = Enumerable.Range(0, 2 * rounds).Select(i => (i % 4) is 1 or 2).ToList();
        foreach (var on in order)
        {
            var overrides = new Dictionary<string, string> { ["Analytics:Enabled"] = on ? "true" : "false" };
            await using var peer = await EnginePeer.StartAsync(graph.BaseUrl, null, echo: false, overrides);
            var run = await load.RunAsync(peer, on ? 2 : 1);
            Console.WriteLine($"analytics {(on ? "on " : "off")}: {run.Rate:F0} webhooks/s, reply p50 {run.Reply.Micros(50) / 1000:F1} ms, p99 {run.Reply.Micros(99) / 1000:F1} ms, " +
                $"CPU {run.Cost.CpuMicrosPerWebhook:F0} µs/webhook, alloc {run.Cost.AllocatedBytesPerWebhook / 1024:F1} KB/webhook; lost {run.Lost}, errors {run.Errors}");
            failed |= run.Lost > 0 || run.Errors > 0 || run.Duplicated > 0;
            var p = pooled[on];
            p.Reply.AddRange(Samples(run.Reply));
            pooled[on] = (p.Reply, p.Seconds + run.Seconds, p.Acked + run.Acked);
        }
        var off = pooled[false];
        var onn = pooled[true];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pooled: off reply p50 {off.Reply.Micros(50) / 1000:F1} ms p99 {off.Reply.Micros(99) / 1000:F1} ms, {off.Acked / off.Seconds:F0}/s; " +
            $"on reply p50 {onn.Reply.Micros(50) / 1000:F1} ms p99 {onn.Reply.Micros(99) / 1000:F1} ms, {onn.Acked / onn.Seconds:F0}/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"on / off: reply p99 {onn.Reply.Micros(99) / off.Reply.Micros(99):F3}x (target <= 1.05x), p50 {onn.Reply.Micros(50) / off.Reply.Micros(50):F3}x, " +
            $"throughput {onn.Acked / onn.Seconds / (off.Acked / off.Seconds):F3}x"));
        return failed ? 1 : 0;
    }

    private static IEnumerable<long> Samples(Percentiles p)
    {
        // Percentiles keeps ticks; re-read them through its quantiles at 0.1 % steps (enough to pool p50/p99 fairly).
        for (var q = 0.1; q <= 100.0001; q += 0.1)
            yield return (long)(p.Micros(q) * System.Diagnostics.Stopwatch.Frequency / 1_000_000.0);
    }
}

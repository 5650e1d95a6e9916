using System.Globalization;

namespace Switchboard.Bench.Webhooks;

/// <summary>Prints each peer as it finishes, then one table of all peers and the engine's ratios from the same run.</summary>
public static class PeerReport
{
    private static double Ms(Percentiles p, double q) => p.Count == 0 ? double.NaN : p.Micros(q) / 1000.0;

    public static void PrintPeer(PeerRun r)
    {
        Console.WriteLine($"  {r.Rate,8:F0} webhooks/s   acked {r.Acked}  errors {r.Errors}  lost {r.Lost}  duplicated {r.Duplicated}  {r.Seconds:F1} s{(r.Complete ? "" : "  INCOMPLETE: --seconds bound reached")}");
        Console.WriteLine($"  ack   p50 {Ms(r.Ack, 50),7:F2} ms  p99 {Ms(r.Ack, 99),7:F2} ms  max {Ms(r.Ack, 100),7:F2} ms");
        Console.WriteLine($"  reply p50 {Ms(r.Reply, 50),7:F2} ms  p99 {Ms(r.Reply, 99),7:F2} ms  max {Ms(r.Reply, 100),7:F2} ms");
        var c = r.Cost;
        Console.WriteLine($"  process per webhook: CPU {c.CpuMicrosPerWebhook:F0} µs ({c.KernelShare:P0} in the kernel), allocated {c.AllocatedBytesPerWebhook / 1024:F1} KB; GCs gen0/1/2 {c.Gen0}/{c.Gen1}/{c.Gen2}, pause {c.PauseMs:F0} ms");
    }

    public static void PrintTable(IReadOnlyList<PeerRun> runs)
    {
        Console.WriteLine();
        Console.WriteLine("| peer | webhooks/s | ack p50 | ack p99 | reply p50 | reply p99 | lost | duplicated | CPU/webhook | alloc/webhook |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Label} | {r.Rate:F0} | {Ms(r.Ack, 50):F2} ms | {Ms(r.Ack, 99):F2} ms | {Ms(r.Reply, 50):F2} ms | {Ms(r.Reply, 99):F2} ms | {r.Lost} | {r.Duplicated} | {r.Cost.CpuMicrosPerWebhook:F0} µs | {r.Cost.AllocatedBytesPerWebhook / 1024:F1} KB |"));
        foreach (var r in runs.Where(r => !r.Complete))
            Console.WriteLine($"note: {r.Key} stopped at the --seconds bound after {r.Acked} webhooks; its figures cover less load than the others'");
        var baseline = runs.FirstOrDefault(r => r.Key == "base");
        var stitched = runs.FirstOrDefault(r => r.Key == "stitched");
        if (baseline is not null && stitched is not null)
            Console.WriteLine($"stitched / do-nothing: throughput {stitched.Rate / baseline.Rate:F3}x");
        foreach (var engine in runs.Where(r => r.Key is "file" or "redis"))
        {
            var parts = new List<string>();
            if (baseline is not null) parts.Add($"engine/do-nothing {engine.Rate / baseline.Rate:F3}x (target >= 0.7x)");
            if (stitched is not null) parts.Add($"engine/stitched {engine.Rate / stitched.Rate:F3}x (target >= 1.5x)");
            parts.Add($"reply p99 {Ms(engine.Reply, 99):F1} ms (target <= 25 ms)");
            Console.WriteLine($"{engine.Key,-5}: {string.Join(", ", parts)}");
        }
    }
}

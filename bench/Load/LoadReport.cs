using Spectre.Console;

namespace Switchboard.Bench.Load;

/// <summary>The end of <c>bench -- load</c>: per target and channel throughput, latency percentiles, errors, lost and duplicated turns; CPU per process; the ratio; the kill timeline.</summary>
public static class LoadReport
{
    public static void Print(List<(string Label, LoadRun Run)> runs)
    {
        // Without a terminal Spectre.Console assumes 80 columns: give the tables room in a log file.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var table = new Table().Title("load: per target and channel")
            .AddColumns("target", "channel", "answered", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "retries", "lost", "duplicated");
        foreach (var (label, run) in runs)
            foreach (var c in run.Channels)
                table.AddRow(label, c.Channel, c.Ok.ToString(), (c.Ok / run.Seconds).ToString("F1"), Ms(c, 50), Ms(c, 95), Ms(c, 99), Ms(c, 100),
                    c.Errors.ToString(), c.Retries.ToString(), c.Channel == "whatsapp" ? c.Lost.ToString() : "-", c.Channel == "whatsapp" ? c.Duplicated.ToString() : "-");
        AnsiConsole.Write(table);

        var cpu = new Table().Title("CPU per process (% of one core, over the run)").AddColumns("target", "process", "CPU %");
        foreach (var (label, run) in runs)
            foreach (var (name, percent) in run.Cpu) cpu.AddRow(label, name, percent.ToString("F0"));
        AnsiConsole.Write(cpu);

        if (runs.Count == 2)
        {
            var engine = runs[0].Run.Webhooks.Stats.Ok / runs[0].Run.Seconds;
            var cluster = runs[1].Run.Webhooks.Stats.Ok / runs[1].Run.Seconds;
            Console.WriteLine($"webhook throughput: cluster {cluster:F1}/s, single-process engine {engine:F1}/s: ratio {cluster / engine:F2} (target >= 0.5)");
        }
        foreach (var (label, run) in runs.Where(r => r.Run.KilledAt is not null)) PrintKill(label, run);
    }

    private static string Ms(ChannelStats c, double p) => double.IsNaN(c.Latency.Micros(p)) ? "-" : (c.Latency.Micros(p) / 1000).ToString("F1");

    /// <summary>Webhook turn latency per second around the kill; back to steady state = from then on every second's p99 is within 2x the pre-kill p99.</summary>
    private static void PrintKill(string label, LoadRun run)
    {
        var killedAt = run.KilledAt!.Value;
        var points = run.Webhooks.Stats.Timeline().ToList();
        var before = Percentile(points.Where(p => p.At < killedAt && p.At > 2).Select(p => p.Ms).ToList(), 99);
        var after = points.Where(p => p.At >= killedAt).Select(p => p.Ms).ToList();
        var seconds = points.Where(p => p.At >= killedAt).GroupBy(p => (int)(p.At - killedAt)).OrderBy(g => g.Key)
            .Select(g => (Second: g.Key, P99: Percentile(g.Select(p => p.Ms).ToList(), 99), N: g.Count())).ToList();
        var lastBad = seconds.Where(s => s.P99 > 2 * before).Select(s => s.Second + 1).DefaultIfEmpty(0).Max();
        Console.WriteLine($"{label}: {run.Killed} at {killedAt:F1} s. Webhook turn p99 before the kill {before:F0} ms; from the kill to the end p99 {Percentile(after, 99):F0} ms, max {after.DefaultIfEmpty(0).Max():F0} ms (target p99 <= 2000 ms); " +
                          $"lost {run.Webhooks.Stats.Lost}, duplicated {run.Webhooks.Stats.Duplicated}; back to steady state (every later second's p99 <= 2x before) {lastBad} s after the kill (target <= 10 s)");
        Console.WriteLine("  second after the kill: p99 ms (turns): " + string.Join("  ", seconds.Select(s => $"{s.Second}: {s.P99:F0} ({s.N})")));
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[(int)Math.Clamp(Math.Ceiling(p / 100 * values.Count) - 1, 0, values.Count - 1)];
    }
}

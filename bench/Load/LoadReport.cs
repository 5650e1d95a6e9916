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

    /// <summary>
    /// Webhook turns per second around the kill. Steady state is the median second before it (turns answered, p99); the
    /// cluster is back once every later second answers at least 80 % of the steady turns with a p99 at most twice the steady p99.
    /// </summary>
    private static void PrintKill(string label, LoadRun run)
    {
        var killedAt = run.KilledAt!.Value;
        var points = run.Webhooks.Stats.Timeline().ToList();
        var end = (int)Math.Floor(run.Seconds);
        var seconds = Enumerable.Range(0, end).Select(s =>
        {
            var inSecond = points.Where(p => p.At >= s && p.At < s + 1).Select(p => p.Ms).ToList();
            return (Second: s, N: inSecond.Count, P99: Percentile(inSecond, 99));
        }).ToList();
        var before = seconds.Where(s => s.Second >= 1 && s.Second + 1 <= killedAt).ToList();
        var steadyN = Median(before.Select(s => (double)s.N).ToList());
        var steadyP99 = Median(before.Select(s => s.P99).Where(v => !double.IsNaN(v)).ToList());
        var after = points.Where(p => p.At >= killedAt).Select(p => p.Ms).ToList();
        var afterSeconds = seconds.Where(s => s.Second >= (int)killedAt).ToList();
        var lastBad = afterSeconds.Where(s => s.N < 0.8 * steadyN || s.P99 > 2 * steadyP99 || double.IsNaN(s.P99)).Select(s => s.Second + 1.0).DefaultIfEmpty(killedAt).Max();
        Console.WriteLine($"{label}: {run.Killed} at {killedAt:F1} s. Steady before the kill: {steadyN:F0} turns/s, per-second p99 {steadyP99:F0} ms. " +
                          $"From the kill to the end: webhook turn p99 {Percentile(after, 99):F0} ms, max {after.DefaultIfEmpty(0).Max():F0} ms (target p99 <= 2000 ms); " +
                          $"lost {run.Webhooks.Stats.Lost}, duplicated {run.Webhooks.Stats.Duplicated}; back to steady state {lastBad - killedAt:F1} s after the kill (target <= 10 s)");
        if (run.Webhooks.Unanswered.Count > 0)
            Console.WriteLine($"  acknowledged but not answered within 30 s: {string.Join(", ", run.Webhooks.Unanswered.Take(10))}");
        Console.WriteLine("  second of the run: turns answered, p99 ms: " + string.Join("  ", seconds.Select(s => $"{s.Second}{(s.Second == (int)killedAt ? "(kill)" : "")}: {s.N}, {s.P99:F0}")));
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[values.Count / 2];
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[(int)Math.Clamp(Math.Ceiling(p / 100 * values.Count) - 1, 0, values.Count - 1)];
    }
}

using System.Diagnostics;

namespace Switchboard.Bench.Journeys;

/// <summary>
/// Enrolment from a streamed CSV upload through the admin API on the embedded store: N customers made by inbound turns
/// first (the peer: turns per second in the same run), then an N-row audience uploaded into a 3-step marketing journey
/// (every row resolved through identity, enrolled, its first step decided). Target: 1,000,000 rows in ≤ 60 s.
/// <c>dotnet run -c Release --project bench -- journeys-enrol [--rows 1000000] [--existing K] [--admission-only]</c>
/// <c>--existing K</c>: only the first K rows are customers made by a turn first (the peer's rate is measured on them);
/// the other rows are numbers nobody has written from, which admission registers as new customers, as a CRM audience
/// would be. It spares a million-row run the ~20 minutes of making every customer by a turn first.
/// <c>--admission-only</c>: stop at the upload's answer (every row durably admitted; the first steps would run on after it).
/// </summary>
public sealed class JourneysEnrolBenchmark : IBenchmark
{
    public string Name => "journeys-enrol";

    public string Description => "journey enrolment: N CSV rows through the admin API, embedded store (target 1,000,000 in <= 60 s)";

    public async Task<int> RunAsync(string[] args)
    {
        var n = Options.Int(args, "--rows", 1_000_000);
        var existing = Options.Int(args, "--existing", n);
        if (existing < 1 || existing > n) throw new ArgumentException($"--existing must be 1 to --rows ({n}); it was {existing}.");
        await using var host = await JourneyBenchHost.StartAsync();
        var turns = await host.CreateCustomers(existing);
        if (existing < n) Console.WriteLine($"journeys-enrol: {existing:N0} of the {n:N0} rows are customers made by a turn first; the other {n - existing:N0} are new numbers");
        await host.Define("enrol-bench", """
            journey: enrol-bench
            purpose: marketing
            steps:
              - id: reminder
                send: { channel: best, template: service_reminder, message: "Your {{model}} is due for a service." }
              - id: wait
                wait: { for: 48h, until: replied }
              - id: nudge
                send: { channel: best, prefer: [rcs, sms], message: "Still time to book your {{model}}." }
            """);
        var before = GC.GetTotalMemory(false);
        if (Environment.GetEnvironmentVariable("JOURNEYS_ENROL_PAUSE") is { Length: > 0 } marker)
        {
            // Profiling: say the customers are made, then wait until the profiler attached (it creates the marker file).
            Console.WriteLine($"journeys-enrol: customers ready, pid {Environment.ProcessId}");
            while (!File.Exists(marker)) await Task.Delay(100);
        }
        var sw = Stopwatch.StartNew();
        var (result, admitted) = await host.UploadCsv("enrol-bench", n, JourneyBenchHost.AfternoonZone());
        var rate = n / admitted.TotalSeconds;
        Console.WriteLine($"journeys-enrol: {n:N0} rows admitted in {admitted.TotalSeconds:0.0} s = {rate:N0} rows/s (enrolled {result["enrolled"]}, bad {result["badRows"]}); " +
                          $"peer: {turns:N0} inbound turns/s in this run, ratio {rate / turns:0.00}; managed heap +{(GC.GetTotalMemory(false) - before) / 1e6:N0} MB; " +
                          $"projected for 1,000,000 rows: {1_000_000 / rate:0} s (target <= 60 s: {(1_000_000 / rate <= 60 ? "met" : "MISSED")})");
        if (Options.Flag(args, "--admission-only")) return 0;
        await host.Enrolled("enrol-bench");
        var enrolRate = n / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"journeys-enrol: all {n:N0} enrolled with their first step run {sw.Elapsed.TotalSeconds:0.0} s after the upload began = {enrolRate:N0} rows/s, " +
                          $"ratio to the peer {enrolRate / turns:0.00}; projected for 1,000,000 rows: {1_000_000 / enrolRate:0} s");
        return 0;
    }
}

using System.Diagnostics;
using Switchboard.Journeys.Loading;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;
using Switchboard.Journeys.Simulation;

namespace Switchboard.Bench.Journeys;

/// <summary>
/// The journey simulator at scale: N customers through a 3-step journey (send, wait 48 h for a reply, send) under the
/// autoservice tenant's rules, on virtual time. The peer is the same run with no time rules and no caps, so the ratio
/// is what the rules cost. Target: 100,000 customers × 3 steps in ≤ 30 s.
/// <c>dotnet run -c Release --project bench -- journeys-sim [--customers 100000]</c>
/// </summary>
public sealed class JourneysSimBenchmark : IBenchmark
{
    public string Name => "journeys-sim";

    public string Description => "journey simulator: N customers x 3 steps on virtual time (target 100,000 in <= 30 s)";

    public Task<int> RunAsync(string[] args)
    {
        var n = Options.Int(args, "--customers", 100_000);
        var rules = JourneyCatalog.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "bots", "autoservice", "journeys")).Rules;
        var journey = JourneyLoader.Parse(new StringReader("""
            journey: three-steps
            purpose: marketing
            goal: { intent: book_service }
            steps:
              - id: reminder
                send: { channel: best, template: service_reminder, message: "Your {{model}} is due for a service." }
              - id: wait
                wait: { for: 48h, until: replied }
              - id: nudge
                send: { channel: best, prefer: [rcs, sms], message: "Still time to book your {{model}}.", suggestions: [Book, Later] }
            """), "three-steps.yaml");
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var model = new ResponseModel();

        Run(rules, journey, model, start, Math.Min(n, 5_000)); // warm-up (JIT)
        var peerRules = rules with { QuietHours = null, OpenHours = new Dictionary<JourneyChannel, OpenHours>(), Restricted = [], Caps = [] };
        var (peer, _) = Run(peerRules, journey, model, start, n);
        var (elapsed, report) = Run(rules, journey, model, start, n);
        Console.WriteLine(report);
        Console.WriteLine($"journeys-sim: {n:N0} customers x 3 steps: {elapsed.TotalSeconds:0.00} s with the rules ({report.StepsRun / elapsed.TotalSeconds:N0} steps/s), " +
                          $"{peer.TotalSeconds:0.00} s for the peer without time rules or caps: ratio {elapsed / peer:0.00}; target <= 30 s: {(elapsed.TotalSeconds <= 30 ? "met" : "MISSED")}");
        return Task.FromResult(elapsed.TotalSeconds <= 30 ? 0 : 1);
    }

    private static (TimeSpan, SimulationReport) Run(TenantJourneyRules rules, JourneyDefinition journey, ResponseModel model, DateTimeOffset start, int n)
    {
        var sw = Stopwatch.StartNew();
        var sim = new Simulator(rules, [journey], model, seed: 42) { Attributes = (_, _) => new Dictionary<string, string> { ["model"] = "Nexon" } };
        var report = sim.Run(n, start, TimeSpan.FromDays(14));
        return (sw.Elapsed, report);
    }
}

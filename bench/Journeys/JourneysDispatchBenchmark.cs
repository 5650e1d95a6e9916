using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces.Journeys;

namespace Switchboard.Bench.Journeys;

/// <summary>
/// Dispatch and timer precision: N enrolments wait 20 s, then send (transactional on WhatsApp, implied by the turn
/// that made each customer), so N steps come due together. Reports due steps executed per minute (target ≥ 100,000)
/// and how late each wait ended after its due time, p50/p99 (target p99 ≤ 1 s), from the enrolments' own timelines.
/// <c>dotnet run -c Release --project bench -- journeys-dispatch [--customers 20000]</c>
/// With <c>--coincide</c> every step comes due at the same instant, so the figure is the dispatcher's ceiling rather than
/// the enrolment rate: the tenant's quiet hours (UTC) run from the start until a whole minute at least
/// <c>--due-in</c> seconds (default 60) away, so every send is deferred to that minute and all wake at once.
/// </summary>
public sealed class JourneysDispatchBenchmark : IBenchmark
{
    public string Name => "journeys-dispatch";

    public string Description => "journey dispatch: N due steps at once, steps/minute and timer lateness p99 (targets >= 100,000/min, <= 1 s)";

    public async Task<int> RunAsync(string[] args)
    {
        var n = Options.Int(args, "--customers", 20_000);
        if (args.Contains("--coincide")) return await CoincideAsync(n, TimeSpan.FromSeconds(Options.Int(args, "--due-in", 60)));
        var wait = TimeSpan.FromSeconds(Options.Int(args, "--wait-seconds", 20));
        await using var host = await JourneyBenchHost.StartAsync();
        var turns = await host.CreateCustomers(n);
        await host.Define("dispatch-bench", $$"""
            journey: dispatch-bench
            purpose: transactional
            steps:
              - id: hold
                wait: { for: {{(int)wait.TotalSeconds}}s }
              - id: notice
                send: { channel: whatsapp, template: service_notice, message: "Your car is ready." }
            """);
        var (_, enrolTime) = await host.UploadAndEnrolCsv("dispatch-bench", n, JourneyBenchHost.AfternoonZone());
        var grains = host.Silo.App.Services.GetRequiredService<IGrainFactory>();
        var customers = await Customers(grains, n);

        // Wait (polling the real condition) until every enrolment has run its send step.
        var lateness = new List<double>(n);
        DateTimeOffset firstDue = DateTimeOffset.MaxValue, lastDone = DateTimeOffset.MinValue;
        var pending = Enumerable.Range(0, n).ToHashSet();
        var deadline = Stopwatch.StartNew();
        while (pending.Count > 0 && deadline.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(2000);
            foreach (var i in pending.ToList())
            {
                var timeline = await Timeline(grains, customers[i]);
                var steps = timeline["steps"]!.AsArray();
                var hold = steps.FirstOrDefault(s => s!["stepId"]!.ToString() == "hold");
                var sent = steps.FirstOrDefault(s => s!["stepId"]!.ToString() == "notice" && s!["outcome"]!.ToString() != "decided");
                if (hold is null || sent is null) continue;
                var enrolled = DateTimeOffset.Parse(timeline["enrolledAt"]!.ToString());
                var due = enrolled + wait;
                var ended = DateTimeOffset.Parse(hold["at"]!.ToString());
                var done = DateTimeOffset.Parse(sent["at"]!.ToString());
                lateness.Add((ended - due).TotalMilliseconds);
                if (due < firstDue) firstDue = due;
                if (done > lastDone) lastDone = done;
                pending.Remove(i);
            }
        }
        lateness.Sort();
        double P(double q) => lateness.Count == 0 ? double.NaN : lateness[Math.Min(lateness.Count - 1, (int)(q * lateness.Count))];
        var span = lastDone - firstDue;
        var perMinute = n / Math.Max(span.TotalMinutes, 1e-9);
        Console.WriteLine($"journeys-dispatch: {n:N0} due steps (enrolled in {enrolTime.TotalSeconds:0.0} s; peer {turns:N0} inbound turns/s): " +
                          $"first due to last sent {span.TotalSeconds:0.0} s = {perMinute:N0} steps/min (target >= 100,000: {(perMinute >= 100_000 ? "met" : "MISSED")}, ratio to turns/min {perMinute / (turns * 60):0.00}); " +
                          $"wait ended late by p50 {P(0.5):0} ms, p99 {P(0.99):0} ms, max {P(1):0} ms (target p99 <= 1000 ms: {(P(0.99) <= 1000 ? "met" : "MISSED")}); unfinished {pending.Count}");
        return 0;
    }

    private static async Task<int> CoincideAsync(int n, TimeSpan dueIn)
    {
        var now = DateTimeOffset.UtcNow;
        var due = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        while (due - now < dueIn) due = due.AddMinutes(1);
        var bots = Directory.CreateTempSubdirectory("journeys-dispatch-");
        try
        {
            var journeys = Directory.CreateDirectory(Path.Combine(bots.FullName, "airline", "journeys")).FullName;
            await File.WriteAllTextAsync(Path.Combine(journeys, "rules.yaml"), $$"""
                channelOrder: [whatsapp, rcs, sms]
                timeZone: UTC
                quietHours: { from: "{{now.AddMinutes(-1):HH:mm}}", to: "{{due:HH:mm}}" }
                caps:
                  - { purpose: "*", max: 100, per: 24h }
                """);
            await using var host = await JourneyBenchHost.StartAsync(new Dictionary<string, string?> { ["Bots:Path"] = bots.FullName });
            var turns = await host.CreateCustomers(n);
            await host.Define("dispatch-bench", """
                journey: dispatch-bench
                purpose: transactional
                steps:
                  - id: notice
                    send: { channel: whatsapp, template: service_notice, message: "Your car is ready." }
                """);
            var (_, enrolTime) = await host.UploadAndEnrolCsv("dispatch-bench", n, "UTC");
            var enrolledBy = DateTimeOffset.UtcNow;
            if (enrolledBy >= due) Console.WriteLine($"journeys-dispatch --coincide: enrolment ended {(enrolledBy - due).TotalSeconds:0.0} s after the due time; raise --due-in");
            var grains = host.Silo.App.Services.GetRequiredService<IGrainFactory>();
            var customers = await Customers(grains, n);
            var wait = due - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait); // the benchmark's own pause until the due instant, not a synchronisation

            var lateness = new List<double>(n);
            var lastDone = DateTimeOffset.MinValue;
            var pending = Enumerable.Range(0, n).ToHashSet();
            var deferred = 0;
            var deadline = Stopwatch.StartNew();
            while (pending.Count > 0 && deadline.Elapsed < TimeSpan.FromMinutes(30))
            {
                await Task.Delay(2000);
                foreach (var i in pending.ToList())
                {
                    var steps = (await Timeline(grains, customers[i]))["steps"]!.AsArray();
                    var sent = steps.FirstOrDefault(s => s!["stepId"]!.ToString() == "notice" && s!["outcome"]!.ToString() == "enqueued");
                    if (sent is null) continue;
                    if (steps.Any(s => s!["outcome"]!.ToString() == "deferred")) deferred++;
                    var done = DateTimeOffset.Parse(sent["at"]!.ToString());
                    lateness.Add((done - due).TotalMilliseconds);
                    if (done > lastDone) lastDone = done;
                    pending.Remove(i);
                }
            }
            lateness.Sort();
            double P(double q) => lateness.Count == 0 ? double.NaN : lateness[Math.Min(lateness.Count - 1, (int)(q * lateness.Count))];
            var span = lastDone - due;
            var perMinute = lateness.Count / Math.Max(span.TotalMinutes, 1e-9);
            Console.WriteLine($"journeys-dispatch --coincide: {n:N0} steps all due at {due:HH:mm:ss} (enrolled in {enrolTime.TotalSeconds:0.0} s, {deferred:N0} deferred by the quiet hours; peer {turns:N0} inbound turns/s): " +
                              $"due to last sent {span.TotalSeconds:0.0} s = {perMinute:N0} steps/min (target >= 100,000: {(perMinute >= 100_000 ? "met" : "MISSED")}, ratio to turns/min {perMinute / (turns * 60):0.00}); " +
                              $"sent late by p50 {P(0.5):0} ms, p99 {P(0.99):0} ms, max {P(1):0} ms (target p99 <= 1000 ms: {(P(0.99) <= 1000 ? "met" : "MISSED")}); unfinished {pending.Count}");
            return 0;
        }
        finally
        {
            bots.Delete(recursive: true);
        }
    }

    /// <summary>The customer ids of the benchmark's <paramref name="n"/> phone numbers, as the engine resolves them.</summary>
    private static async Task<string[]> Customers(IGrainFactory grains, int n)
    {
        var ingress = grains.GetGrain<Grains.Interfaces.Conversation.IConversationIngressGrain>(0);
        var customers = new string[n];
        for (var i = 0; i < n; i++)
            customers[i] = (await ingress.Resolve("airline", new Grains.Interfaces.Identity.ChannelAddress(Grains.Interfaces.Identity.AddressKind.Phone, JourneyBenchHost.Phone(i))))!;
        return customers;
    }

    /// <summary>A customer's enrolment timeline in the dispatch benchmark's journey, parsed once.</summary>
    private static async Task<JsonNode> Timeline(IGrainFactory grains, string customer)
    {
        var json = await grains.GetGrain<IJourneyEnrolmentGrain>(JourneyKeys.Enrolment("airline", "dispatch-bench", customer)).TimelineJson();
        return JsonNode.Parse(json!)!;
    }
}

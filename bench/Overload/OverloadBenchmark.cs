using System.Text.Json.Nodes;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Overload;

/// <summary>
/// Overload: the real engine as its own process (embedded store or Redis, the shipped airline bot, admission control on) takes
/// signed WhatsApp webhooks. 1) capacity: a closed loop of as many senders as the edge admits at once; 2) light load:
/// 10 % of capacity, open loop, for the unloaded p99; 3) overload: 2× capacity, open loop, for --seconds; 4) every
/// refused message is redelivered (as Meta does) and each customer must then hold exactly the messages acknowledged.
/// Targets: served ≥ 90 % of capacity, every refusal 503/429 with Retry-After, served p99 ≤ 3× the light-load p99, 0 lost.
/// Usage: overload [--seconds 60] [--capacity-seconds 15] [--warmup-seconds 15] [--factor 2] [--store file|redis] [--set Key=Value ...]
/// [--engine-env NAME=value ...] (a variable for the engine process only, e.g. a GC knob)   (quick: --seconds 10)
/// <c>overload --refusal-cost</c> measures what a refusal costs the engine instead (<see cref="RefusalCost"/>).
/// </summary>
public sealed class OverloadBenchmark : IBenchmark
{
    private const string AppSecret = "overload-bench-secret";

    public string Name => "overload";

    public string Description => "2x measured capacity of signed webhooks: served share, 503 + Retry-After, served p99 vs unloaded p99, acknowledged turns lost";

    public async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--seconds", 60);
        var capacitySeconds = Options.Int(args, "--capacity-seconds", Math.Min(15, Math.Max(5, seconds / 4)));
        var factor = Options.Int(args, "--factor", 2);
        var settings = new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = AppSecret,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Storage:AllowGeneratedKey"] = "true",
        };
        var environment = new Dictionary<string, string>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var k, var v]) settings[k] = v;
            if (args[i] == "--engine-env" && args[i + 1].Split('=', 2) is [var ek, var ev]) environment[ek] = ev;
        }
        if (args.Contains("--refusal-cost")) return await RefusalCost.RunAsync(args, settings, AppSecret);
        var inFlight = int.Parse(settings.GetValueOrDefault("Admission:Edge:MaxInFlightTurns")
            ?? Switchboard.Silo.Admission.AdmissionOptions.EdgeLimits.DefaultInFlightTurns(turnsRunHere: true).ToString());

        // --store redis: the engine on a real redis-server (Debian's, started here) instead of the embedded file store.
        var onRedis = Options.String(args, "--store", "file") == "redis";
        await using var redis = onRedis ? await RedisServer.StartAsync() : null;
        if (redis is not null) settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        using var store = new TempDirectory();
        await using var engine = await EngineProcess.StartAsync(store.Path, settings, environment: environment);
        Console.WriteLine($"overload: engine pid {engine.ProcessId} on {Environment.ProcessorCount} cores, store {(onRedis ? "redis" : "file")}; admission {Describe(settings)}"
            + string.Concat(environment.Select(kv => $"; engine {kv.Key}={kv.Value}")));

        using var warm = new WebhookTraffic(engine.BaseAddress, AppSecret, "91980001", 200);
        // Until the JIT has tiered up the hot path, capacity would be measured low.
        await warm.ClosedLoopAsync("warm-up", inFlight, TimeSpan.FromSeconds(Options.Int(args, "--warmup-seconds", 15)));

        using var traffic = new WebhookTraffic(engine.BaseAddress, AppSecret, "91980002", Math.Max(500, seconds * 40));
        var capacity = await traffic.ClosedLoopAsync("capacity", inFlight, TimeSpan.FromSeconds(capacitySeconds));
        Report(capacity);
        var light = await traffic.OpenLoopAsync("light (10 %)", capacity.ServedPerSecond * 0.1, TimeSpan.FromSeconds(capacitySeconds));
        Report(light);
        var over = await traffic.OpenLoopAsync($"overload ({factor}x)", capacity.ServedPerSecond * factor, TimeSpan.FromSeconds(seconds));
        Report(over);

        var refusedBefore = traffic.RefusedMessages.Count;
        var redelivered = await traffic.RedeliverRefusedAsync(inFlight, TimeSpan.FromSeconds(Math.Max(120, seconds * 3)));
        var (checkedSenders, lost, extra) = await CheckCustomersAsync(engine, traffic);

        var servedShare = over.ServedPerSecond / capacity.ServedPerSecond;
        var p99Ratio = over.Served.Micros(99) / light.Served.Micros(99);
        Console.WriteLine();
        Console.WriteLine($"capacity                 {capacity.ServedPerSecond:F0} turns/s (closed loop, {inFlight} senders)");
        Console.WriteLine($"served at {factor}x            {over.ServedPerSecond:F0} turns/s = {servedShare:P0} of capacity   (target >= 90 %)");
        Console.WriteLine($"refused at {factor}x           {over.Refused} ({(double)over.Refused / Math.Max(1, over.Offered):P0} of offered), without Retry-After: {over.RefusedWithoutRetryAfter}, other failures: {over.Failed}");
        Console.WriteLine($"served p99 / light p99   {over.Served.Micros(99) / 1000:F1} ms / {light.Served.Micros(99) / 1000:F1} ms = {p99Ratio:F2}x   (target <= 3x)");
        Console.WriteLine($"redelivered              {redelivered} of {refusedBefore} refused; left unserved: {traffic.RefusedMessages.Count}");
        Console.WriteLine($"acknowledged turns lost  {lost} (extra: {extra}) across {checkedSenders} customers   (target 0)");
        var ok = servedShare >= 0.9 && p99Ratio <= 3 && over.RefusedWithoutRetryAfter == 0 && over.Failed == 0 && lost == 0 && extra == 0 && traffic.RefusedMessages.IsEmpty;
        Console.WriteLine(ok ? "overload: all targets met" : "overload: a target was missed");
        return lost == 0 && extra == 0 ? 0 : 1;
    }

    private static string Describe(Dictionary<string, string?> settings)
    {
        var set = settings.Where(kv => kv.Key.StartsWith("Admission:", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        return set.Count == 0 ? "defaults" : string.Join(' ', set);
    }

    private static void Report(PhaseResult p) =>
        Console.WriteLine($"{p.Name,-16} offered {p.Offered,7}  served {p.Served.Count,7} ({p.ServedPerSecond,7:F0}/s)  refused {p.Refused,6}  failed {p.Failed,4}  served {p.Served.Summary()}");

    /// <summary>Each sender's customer must count exactly the WhatsApp turns the engine acknowledged to that sender.</summary>
    private static async Task<(int Checked, int Lost, int Extra)> CheckCustomersAsync(EngineProcess engine, WebhookTraffic traffic)
    {
        int lost = 0, extra = 0, count = 0;
        foreach (var (sender, acknowledged) in traffic.AcknowledgedBySender)
        {
            var resolve = await engine.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={sender}");
            var held = 0;
            if (resolve.IsSuccessStatusCode)
            {
                var id = (string)JsonNode.Parse(await resolve.Content.ReadAsStringAsync())!["customerId"]!;
                var customer = JsonNode.Parse(await engine.Http.GetStringAsync($"api/customers/{id}"))!;
                held = (int?)customer["persistentIntent"]?["turnsByChannel"]?["whatsapp"] ?? 0;
            }
            if (held < acknowledged) lost += acknowledged - held;
            if (held > acknowledged) extra += held - acknowledged;
            count++;
        }
        return (count, lost, extra);
    }
}

using Switchboard.TestSupport;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// Signed WhatsApp webhooks through four peers, one after another with the same closed-loop load, in one run: the
/// do-nothing handler, the stitched Redis pattern, the engine on its embedded file store and the engine on Redis (the
/// stitched handler and the engine share one real redis-server). Prints throughput, ack and reply p50/p99, lost and
/// duplicated replies and the engine's ratios; exits 1 when a reply was lost or duplicated or a webhook failed.
/// <c>dotnet run -c Release --project bench -- webhooks [--senders 16] [--customers 2000] [--turns 4] [--only base,stitched,file,redis]
/// [--seconds 120] [--reply-timeout 10] [--warmup 30000] [--settle-ms 300] [--alloc-types] [--echo] [--set key=value]…</c>
/// The engine runs the shipped airline tenant and bot (<c>--echo</c>: the echo engine, as with no bot).
/// </summary>
public sealed class WebhookBenchmark : IBenchmark
{
    private static readonly string[] AllPeers = ["base", "stitched", "file", "redis"];

    /// <summary>
    /// Warm-up customers per peer (one turn each, not measured). With 64, as before 2026-12-02, the measured phase mostly
    /// timed the runtime's tiered JIT (tier-0 code, then on-stack replacement and PGO re-compiles): the engine's ratios
    /// rose from 0.12x to 0.33x (do-nothing) between 64 and 30,000 on a quiet machine, the peers' much less. 30,000 gives
    /// every peer steady-state code; <c>--warmup 64</c> still measures a cold process (docs/performance.md).
    /// </summary>
    private const int DefaultWarmup = 30_000;

    public string Name => "webhooks";

    public string Description => "signed WhatsApp webhooks, closed loop: do-nothing vs stitched Redis vs engine (file, Redis); --only base,stitched,file,redis";

    public async Task<int> RunAsync(string[] args)
    {
        var shape = new LoadShape(
            Senders: Math.Max(1, Options.Int(args, "--senders", 16)),
            Customers: Math.Max(1, Options.Int(args, "--customers", 2000)),
            Turns: Math.Max(1, Options.Int(args, "--turns", 4)),
            WarmupCustomers: Math.Max(0, Options.Int(args, "--warmup", DefaultWarmup)),
            MaxSeconds: TimeSpan.FromSeconds(Math.Max(1, Options.Int(args, "--seconds", 120))),
            ReplyTimeout: TimeSpan.FromSeconds(Math.Max(1, Options.Int(args, "--reply-timeout", 10))),
            Settle: TimeSpan.FromMilliseconds(Math.Max(0, Options.Int(args, "--settle-ms", 300))));
        var only = Options.String(args, "--only", string.Join(',', AllPeers)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = only.Except(AllPeers).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"webhooks: unknown peer(s) {string.Join(", ", unknown)}; --only takes {string.Join(',', AllPeers)}");
            return 2;
        }
        var peers = AllPeers.Where(only.Contains).ToList();
        var echo = Options.Flag(args, "--echo");
        var overrides = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] != "--set") continue;
            var eq = args[i + 1].IndexOf('=');
            if (eq <= 0)
            {
                Console.Error.WriteLine($"webhooks: --set takes key=value, not '{args[i + 1]}'");
                return 2;
            }
            overrides[args[i + 1][..eq]] = args[i + 1][(eq + 1)..];
        }
        if (overrides.Count > 0) Console.WriteLine($"  engine settings overridden: {string.Join(", ", overrides.Select(kv => $"{kv.Key}={kv.Value}"))}");

        await using var graph = await GraphStandIn.StartAsync();
        await using var redis = peers.Contains("stitched") || peers.Contains("redis") ? await RedisServer.StartAsync() : null;
        Console.WriteLine($"webhooks: {shape}");
        Console.WriteLine($"  peers {string.Join(", ", peers)}; Graph stand-in {graph.BaseUrl}{(redis is null ? "" : $"; redis-server on port {redis.Port}")}; {Environment.ProcessorCount} cores");

        using var meters = new EngineMeters();
        using var allocations = Options.Flag(args, "--alloc-types") ? new AllocationSampler() : null;
        var load = new ClosedLoopLoad(shape, graph);
        var runs = new List<PeerRun>();
        foreach (var key in peers)
        {
            await using IWebhookPeer peer = key switch
            {
                "base" => await DoNothingHandler.StartAsync(graph.BaseUrl),
                "stitched" => await StitchedHandler.StartAsync(graph.BaseUrl, redis!.ConnectionString),
                "file" => await EnginePeer.StartAsync(graph.BaseUrl, null, echo, overrides),
                _ => await EnginePeer.StartAsync(graph.BaseUrl, redis!.ConnectionString, echo, overrides),
            };
            Console.WriteLine($"{peer.Label}:");
            meters.Reset();
            var run = await load.RunAsync(peer, Array.IndexOf(AllPeers, key) + 1, allocations is null ? null : allocations.Reset);
            runs.Add(run);
            PeerReport.PrintPeer(run);
            foreach (var (name, count, mean) in meters.Snapshot())
                Console.WriteLine($"  engine meter {name}: mean {mean:F2} (n={count}, warm-up included)");
            if (peer is EnginePeer engine) Console.WriteLine($"  {engine.StoreSummary()}");
            allocations?.Print(run.Acked);
        }
        PeerReport.PrintTable(runs);
        var failed = runs.Where(r => r.Lost > 0 || r.Duplicated > 0 || r.Errors > 0).ToList();
        foreach (var r in failed) Console.WriteLine($"FAIL {r.Key}: lost {r.Lost}, duplicated {r.Duplicated}, failed webhooks {r.Errors}");
        return failed.Count == 0 ? 0 : 1;
    }
}

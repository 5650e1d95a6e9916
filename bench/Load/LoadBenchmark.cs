using System.Net;
using Switchboard.Bench.Webhooks;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Load;

/// <summary>
/// <c>bench -- load</c>: the same mix of signed WhatsApp webhooks, web chat sessions and SIP calls with DTMF, first against
/// one single-process engine (Role=all on its own redis-server), then against a local cluster (redis-server, 3 silos, 2
/// gateways: the processes <c>./cluster.sh</c> starts) through its gateways. Ends with throughput, latency percentiles and
/// errors per channel, CPU per process, and the cluster/engine webhook throughput ratio (target ≥ 0.5). <c>--kill-silo</c>
/// SIGKILLs a silo during the cluster run and reports latency around the kill and the time back to steady state.
/// </summary>
public sealed class LoadBenchmark : IBenchmark
{
    public string Name => "load";

    public string Description =>
        "mixed load (webhooks, web chat, SIP+DTMF) on a 3-silo/2-gateway cluster vs one engine: --webhooks 16 --customers 50 --webchat 4 --sip 4 --seconds 20 --warmup 8 [--kill-silo --kill-at 7] [--no-peer] [--set Key=Value]";

    public async Task<int> RunAsync(string[] args)
    {
        var mix = new LoadMix(Options.Int(args, "--webhooks", 16), Options.Int(args, "--customers", 50), Options.Int(args, "--webchat", 4), Options.Int(args, "--sip", 4));
        var length = TimeSpan.FromSeconds(Options.Int(args, "--seconds", 20));
        var killSilo = Options.Flag(args, "--kill-silo");
        var warmup = TimeSpan.FromSeconds(Options.Int(args, "--warmup", 8));
        var killAt = TimeSpan.FromSeconds(Options.Int(args, "--kill-at", (int)length.TotalSeconds / 3));
        Console.WriteLine($"load: {mix}; {length.TotalSeconds:F0} s per target{(killSilo ? $"; a silo SIGKILLed at {killAt.TotalSeconds:F0} s" : "")}");

        await using var graph = await GraphStandIn.StartAsync();
        var settings = EngineSettings(graph.BaseUrl);
        // --set Key=Value (repeatable): any engine setting for every process of both targets, for experiments.
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value]) settings[key] = value;
        var runs = new List<(string Label, LoadRun Run)>();
        List<(string Silo, int[] Activations)> activations = [];

        if (!Options.Flag(args, "--no-peer"))
        {
            await using var redis = await ClusterRedis.StartAsync();
            using var data = new TempDirectory();
            var sip = FreePort.Udp();
            var engineSettings = new Dictionary<string, string?>(settings) { ["ConnectionStrings:Redis"] = redis.ConnectionString, ["Sip:Port"] = sip.ToString() };
            Console.WriteLine("starting the single-process engine (Role=all, redis-server)...");
            await using var engine = await EngineProcess.StartAsync(data.Path, engineSettings, TimeSpan.FromSeconds(120), "all");
            var target = new LoadTarget("engine", [engine.BaseAddress], [new IPEndPoint(IPAddress.Loopback, sip)],
                () => [("redis", redis.Pid), ("engine", engine.Pid)]);
            await WarmUp(target, graph, mix, warmup, 3);
            var run = new LoadRun(target, graph, mix, 1);
            await run.RunAsync(length, null);
            runs.Add(("single-process engine", run));
            graph.Reset();
        }

        Console.WriteLine("starting the cluster (redis-server, 3 silos, 2 gateways)...");
        await using (var cluster = await LocalCluster.StartAsync(3, 2, settings))
        {
            var target = new LoadTarget("cluster", cluster.Gateways.Select(g => g.BaseAddress).ToList(),
                cluster.GatewaySipPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToList(), cluster.Processes,
                () =>
                {
                    cluster.Silos[1].Kill();
                    return Task.FromResult("silo2 SIGKILLed");
                });
            await WarmUp(target, graph, mix, warmup, 4);
            var run = new LoadRun(target, graph, mix, 2);
            await run.RunAsync(length, killSilo ? killAt : null);
            runs.Add(("cluster (3 silos, 2 gateways)", run));
            activations = await ActivationsPerSilo.ReadAsync(cluster.Silos[0].BaseAddress, mix.Webhooks * mix.CustomersPerSender);
        }

        LoadReport.Print(runs);
        ActivationsPerSilo.Print(activations);
        return 0;
    }

    /// <summary>The same mix, unmeasured, on customers of its own: JIT, connections, first activations, the bots' first turns.</summary>
    private static async Task WarmUp(LoadTarget target, GraphStandIn graph, LoadMix mix, TimeSpan length, int digit)
    {
        if (length <= TimeSpan.Zero) return;
        Console.WriteLine($"warming up {target.Label} for {length.TotalSeconds:F0} s (not measured)...");
        await new LoadRun(target with { Label = target.Label + " warm-up" }, graph, mix, digit).RunAsync(length, null);
        graph.Reset();
    }

    /// <summary>What every process of both targets is given: the airline tenant and bot, WhatsApp against the Graph stand-in, the dashboard on.</summary>
    private static Dictionary<string, string?> EngineSettings(string graphBaseUrl)
    {
        var settings = EnginePeer.AirlineSettings(graphBaseUrl);
        settings["Tenants:airline:Endpoints:1:Channel"] = "voice";
        settings["Tenants:airline:Endpoints:1:Value"] = "1000";
        settings["Dashboard:Enabled"] = "true";
        // A load visitor types at machine speed; the per-socket limit (60 a minute) is for browsers.
        settings["WebChat:MaxFramesPerMinute"] = "6000";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }
}

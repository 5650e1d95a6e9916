using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Bench.Load;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Overload;

/// <summary>
/// What one refused webhook costs the engine, against what a served one and a bare <c>GET /healthz</c> cost, in engine
/// CPU per request (<c>/proc/&lt;pid&gt;/stat</c>). The edge is held saturated by stalled uploads: as many connections as
/// the edge admits plus its queue send a webhook's headers and then trickle its body (fast enough for Kestrel's minimum
/// data rate), so every other webhook is refused, deterministically. Phases, each a closed loop of the same senders:
/// refused webhooks, then <c>/healthz</c> (the HTTP floor, same state), then, with the stalls released, served webhooks.
/// With <c>--trace</c>, <c>dotnet-trace</c> samples the engine during the refused phase (sampled thread time, a .nettrace file).
/// Usage: overload --refusal-cost [--seconds 10] [--senders 16] [--trace] [--set Key=Value ...]
/// </summary>
public static class RefusalCost
{
    public static async Task<int> RunAsync(string[] args, Dictionary<string, string?> settings, string appSecret)
    {
        var seconds = Options.Int(args, "--seconds", 10);
        var senders = Options.Int(args, "--senders", 16);
        var inFlight = int.Parse(settings.GetValueOrDefault("Admission:Edge:MaxInFlightTurns")
            ?? Switchboard.Silo.Admission.AdmissionOptions.EdgeLimits.DefaultInFlightTurns(turnsRunHere: true).ToString());
        var queued = int.Parse(settings.GetValueOrDefault("Admission:Edge:MaxQueuedTurns") ?? Switchboard.Silo.Admission.AdmissionOptions.EdgeLimits.DefaultQueuedTurns.ToString());

        using var store = new TempDirectory();
        await using var engine = await EngineProcess.StartAsync(store.Path, settings);
        Console.WriteLine($"refusal cost: engine pid {engine.ProcessId}, {inFlight} in flight + {queued} queued to hold, {senders} senders, {seconds} s per phase");
        using var traffic = new WebhookTraffic(engine.BaseAddress, appSecret, "91980003", 200);
        // Warm the hot paths (served and refused) before measuring.
        await traffic.ClosedLoopAsync("warm-up", senders, TimeSpan.FromSeconds(seconds));

        var stalls = new List<Stall>();
        try
        {
            for (var i = 0; i < inFlight + queued; i++) stalls.Add(await Stall.OpenAsync(engine.BaseAddress));
            var probe = new PhaseResult("probe", TimeSpan.Zero);
            var saturated = await Eventually.HoldsAsync(async () => { await traffic.SendNewAsync(probe); return probe.Refused > 0; }, TimeSpan.FromSeconds(30));
            if (!saturated) throw new InvalidOperationException("the stalled uploads did not saturate the edge");
            await Measure(engine, "refused warm-up", senders, TimeSpan.FromSeconds(seconds / 2.0), () => traffic.SendNewAsync(new PhaseResult("", TimeSpan.Zero)));

            Process? tracer = args.Contains("--trace") ? StartTrace(engine.ProcessId, seconds) : null;
            var refused = new PhaseResult("refused", TimeSpan.FromSeconds(seconds));
            var refusedCpu = await Measure(engine, "refused webhooks", senders, TimeSpan.FromSeconds(seconds), () => traffic.SendNewAsync(refused));
            if (tracer is not null) await tracer.WaitForExitAsync();
            if (refused.Served.Count > 0 || refused.Failed > 0)
                Console.WriteLine($"warning: {refused.Served.Count} served and {refused.Failed} failed during the refused phase");
            var healthCpu = await Measure(engine, "GET /healthz", senders, TimeSpan.FromSeconds(seconds), async () =>
            {
                using var r = await engine.Http.GetAsync("healthz");
                if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException("/healthz answered " + r.StatusCode);
            });
            foreach (var s in stalls) s.Dispose();
            stalls.Clear();
            var served = new PhaseResult("served", TimeSpan.FromSeconds(seconds));
            var servedCpu = await Measure(engine, "served webhooks", senders, TimeSpan.FromSeconds(seconds), () => traffic.SendNewAsync(served));

            Console.WriteLine();
            Console.WriteLine($"engine CPU per refused webhook   {refusedCpu:F1} µs   ({refusedCpu / healthCpu:F2}x a GET /healthz, {refusedCpu / servedCpu:P1} of a served webhook)");
            Console.WriteLine($"engine CPU per GET /healthz      {healthCpu:F1} µs   (the HTTP floor)");
            Console.WriteLine($"engine CPU per served webhook    {servedCpu:F1} µs");
            return 0;
        }
        finally
        {
            foreach (var s in stalls) s.Dispose();
        }
    }

    /// <summary>A closed loop of <paramref name="senders"/>; answers the engine's CPU µs per request.</summary>
    private static async Task<double> Measure(EngineProcess engine, string name, int senders, TimeSpan duration, Func<Task> request)
    {
        long count = 0;
        var cpuBefore = ProcessCpu.Seconds(engine.ProcessId)!.Value;
        var ownBefore = ProcessCpu.Seconds(Environment.ProcessId)!.Value;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            await Task.Yield();
            while (clock.Elapsed < duration)
            {
                await request();
                Interlocked.Increment(ref count);
            }
        }));
        var elapsed = clock.Elapsed;
        var cpu = ProcessCpu.Seconds(engine.ProcessId)!.Value - cpuBefore;
        var own = ProcessCpu.Seconds(Environment.ProcessId)!.Value - ownBefore;
        var perRequest = cpu * 1e6 / Math.Max(1, count);
        Console.WriteLine($"{name,-18} {count,8} requests  {count / elapsed.TotalSeconds,8:F0}/s  engine CPU {cpu,6:F2} s = {cpu / elapsed.TotalSeconds:P0} of a core, {perRequest,7:F1} µs each; load tool {own * 1e6 / Math.Max(1, count),7:F1} µs each");
        return perRequest;
    }

    private static Process StartTrace(int pid, int seconds)
    {
        var output = Path.Combine(Path.GetTempPath(), $"refusals-{pid}.nettrace");
        // A global tool lives in ~/.dotnet/tools, which is not always on the PATH.
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        var start = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-trace") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["collect", "-p", pid.ToString(), "--profile", "dotnet-sampled-thread-time", "--duration", TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss"), "-o", output])
            start.ArgumentList.Add(a);
        var tracer = Process.Start(start)!;
        tracer.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && !line.Contains('\r')) Console.WriteLine("dotnet-trace: " + line.Trim()); };
        tracer.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.WriteLine("dotnet-trace: " + line.Trim()); };
        tracer.BeginOutputReadLine();
        tracer.BeginErrorReadLine();
        Console.WriteLine($"dotnet-trace: sampling the engine into {output}");
        return tracer;
    }

    /// <summary>A webhook whose body trickles in (256 bytes every 100 ms, well above Kestrel's 240 B/s minimum even on a loaded machine): it holds its edge slot for about 100 s.</summary>
    private sealed class Stall : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly CancellationTokenSource _stop = new();

        private Stall(TcpClient tcp) => _tcp = tcp;

        public static async Task<Stall> OpenAsync(Uri engine)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(engine.Host, engine.Port);
            var stall = new Stall(tcp);
            var head = $"POST /webhooks/whatsapp HTTP/1.1\r\nHost: {engine.Authority}\r\nContent-Type: application/json\r\n" +
                "X-Hub-Signature-256: sha256=" + new string('0', 64) + "\r\nContent-Length: 250000\r\n\r\n{";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
            _ = stall.TrickleAsync();
            return stall;
        }

        private async Task TrickleAsync()
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 256));
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await Task.Delay(100, _stop.Token);
                    await _tcp.GetStream().WriteAsync(chunk, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _tcp.Dispose();
        }
    }
}

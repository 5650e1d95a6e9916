using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests;

/// <summary>./cluster.sh as a person runs it: start (redis-server, 3 silos, 2 gateways), status, a webhook through a gateway read back on a silo, stop.</summary>
[Collection("cluster")]
public sealed class ClusterScriptTests
{
    [Fact]
    public async Task Cluster_sh_starts_redis_three_silos_and_two_gateways_that_serve_a_turn_and_stops_them_all()
    {
        using var dir = new TempDirectory();
        var ports = new Dictionary<string, int>
        {
            ["REDIS_PORT"] = FreePort.Tcp(), ["SILO_HTTP"] = FreePort.TcpRun(3), ["SILO_PORT"] = FreePort.TcpRun(3),
            ["SILO_GATEWAY_PORT"] = FreePort.TcpRun(3), ["GATEWAY_HTTP"] = FreePort.TcpRun(2), ["GATEWAY_SIP"] = FreePort.TcpRun(2),
        };
        try
        {
            var (started, startOutput) = await RunAsync(dir.Path, ports, "start", "--Dashboard:Enabled=false", "--Logging:LogLevel:Default=Warning");
            Assert.True(started == 0, startOutput);
            var (status, statusOutput) = await RunAsync(dir.Path, ports, "status");
            Assert.True(status == 0, statusOutput);
            foreach (var name in new[] { "redis", "silo1", "silo2", "silo3", "gateway1", "gateway2" })
                Assert.Matches($@"(?m)^{name}\s+\d+\s+yes\s", statusOutput);
            foreach (var name in new[] { "redis", "silo1", "silo2", "silo3", "gateway1", "gateway2" })
                Assert.True(File.Exists(Path.Combine(dir.Path, "logs", name + ".log")), $"no log for {name}");

            var secret = (await File.ReadAllTextAsync(Path.Combine(dir.Path, "secrets", "whatsapp-app-secret"))).Trim();
            var key = (await File.ReadAllTextAsync(Path.Combine(dir.Path, "secrets", "admin-api-key"))).Trim();
            using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports["GATEWAY_HTTP"] + 1}/") };
            using (var posted = await WhatsAppWebhookPost.PostSignedAsync(gateway, WhatsAppWebhookPost.Text("919816000001", "wamid.script.1", "hello cluster"), secret))
                Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            using var silo = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports["SILO_HTTP"] + 2}/") };
            silo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.NotNull(await Transcripts.ResolveAsync(silo, "whatsapp", "919816000001"));
        }
        finally
        {
            var (stopped, stopOutput) = await RunAsync(dir.Path, ports, "stop");
            Assert.True(stopped == 0, stopOutput);
            Assert.DoesNotContain("SIGKILL", stopOutput);
        }
        var (after, afterOutput) = await RunAsync(dir.Path, ports, "status");
        Assert.NotEqual(0, after);
        Assert.DoesNotMatch(@"\s+yes\s", afterOutput);
    }

    private static async Task<(int Code, string Output)> RunAsync(string clusterDir, Dictionary<string, int> ports, params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "cluster.sh"))) root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "cluster.sh"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["CLUSTER_DIR"] = clusterDir;
        start.Environment["SWITCHBOARD_DLL"] = Path.Combine(AppContext.BaseDirectory, "Switchboard.Silo.dll");
        foreach (var (k, v) in ports) start.Environment[k] = v.ToString();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

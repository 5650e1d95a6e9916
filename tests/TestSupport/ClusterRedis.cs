using System.Diagnostics;
using StackExchange.Redis;

namespace Switchboard.TestSupport;

/// <summary>
/// A real redis-server for a multi-process cluster that a test can stop (SIGKILL) and start again on the same port and
/// data directory: append-only with an fsync per write, so what Redis acknowledged is still there after the restart.
/// </summary>
public sealed class ClusterRedis : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private Process? _process;

    public int Port { get; } = FreePort.Tcp();
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";
    public int Pid => _process?.Id ?? 0;

    public static async Task<ClusterRedis> StartAsync()
    {
        var redis = new ClusterRedis();
        await redis.RestartAsync();
        return redis;
    }

    /// <summary>Starts redis-server (again) and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run ./test.sh (it installs Debian's redis-server) or apt-get install redis-server.");
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _dir.Path, "--save", "", "--appendonly", "yes", "--appendfsync", "always" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var up = await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},abortConnect=true,connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return true;
            }
            catch (RedisConnectionException) { return false; }
        }, TimeSpan.FromSeconds(30));
        if (!up) throw new TimeoutException("redis-server did not answer PING in time.");
    }

    /// <summary>SIGKILL, like a crashed or restarted Redis node.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _dir.Dispose();
    }
}

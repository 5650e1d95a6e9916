using System.Diagnostics;
using StackExchange.Redis;

namespace Switchboard.TestSupport;

/// <summary>
/// A real redis-server (Debian's) on a free loopback port with its own data directory, for one test run.
/// ./test.sh installs the package; a missing binary fails the test with a message saying so.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir = new();

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    private RedisServer(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    public static async Task<RedisServer> StartAsync()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run ./test.sh (it installs Debian's redis-server) or apt-get install redis-server.");
        var port = FreePort.Tcp();
        var dir = Directory.CreateTempSubdirectory("switchboard-redis-").FullName;
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(port, process);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                server.Connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=true,connectTimeout=500");
                await server.Connection.GetDatabase().PingAsync();
                return server;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Every key and every value (strings and hash fields) in the database, for "this value appears nowhere" checks.</summary>
    public async Task<List<(string Key, byte[] Value)>> DumpAsync()
    {
        var db = Connection.GetDatabase();
        var server = Connection.GetServer(Connection.GetEndPoints()[0]);
        var all = new List<(string, byte[])>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            var type = await db.KeyTypeAsync(key);
            switch (type)
            {
                case RedisType.String:
                    all.Add((key!, (byte[])(await db.StringGetAsync(key))!));
                    break;
                case RedisType.Hash:
                    foreach (var e in await db.HashGetAllAsync(key)) all.Add(($"{key}#{e.Name}", (byte[])e.Value!));
                    break;
                case RedisType.SortedSet:
                    foreach (var e in await db.SortedSetRangeByRankAsync(key)) all.Add((key!, (byte[])e!));
                    break;
                case RedisType.Set:
                    foreach (var e in await db.SetMembersAsync(key)) all.Add((key!, (byte[])e!));
                    break;
                case RedisType.List:
                    foreach (var e in await db.ListRangeAsync(key)) all.Add((key!, (byte[])e!));
                    break;
                default:
                    all.Add((key!, []));
                    break;
            }
        }
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        Connection?.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}

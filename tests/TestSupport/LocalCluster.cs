namespace Switchboard.TestSupport;

/// <summary>
/// The C# twin of <c>./cluster.sh</c> for tests and the load tool: a real redis-server, silos (<c>Role=silo</c>) and
/// gateways (<c>Role=gateway</c>) as separate processes of the built engine, each on free ports, sharing one admin key,
/// one PII key and <paramref name="settings"/>. A test can kill, stop and start any of them.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TempDirectory _data = new();
    private readonly Dictionary<string, int> _started = [];

    public ClusterRedis Redis { get; }
    /// <summary>Each process's output, one file per process (silo1.log, gateway1.log, ...), like ./cluster.sh's logs folder.</summary>
    public string LogFolder => Path.Combine(_data.Path, "logs");
    public List<EngineProcess> Silos { get; } = [];
    public List<EngineProcess> Gateways { get; } = [];
    /// <summary>The UDP SIP port of each gateway, in the order of <see cref="Gateways"/>.</summary>
    public List<int> GatewaySipPorts { get; } = [];

    private LocalCluster(ClusterRedis redis, Dictionary<string, string?> settings)
    {
        Redis = redis;
        _settings = settings;
    }

    public static async Task<LocalCluster> StartAsync(int silos, int gateways, IDictionary<string, string?> settings)
    {
        var redis = await ClusterRedis.StartAsync();
        var all = new Dictionary<string, string?>(settings) { ["ConnectionStrings:Redis"] = redis.ConnectionString };
        all.TryAdd("Orleans:ClusterId", "local-cluster");
        var cluster = new LocalCluster(redis, all);
        try
        {
            // Silos join through Redis membership in any order; starting them together halves a cold start on two cores.
            cluster.Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.StartSiloAsync())));
            for (var i = 0; i < gateways; i++) cluster.Gateways.Add(await cluster.StartGatewayAsync());
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task<EngineProcess> StartSiloAsync(IDictionary<string, string?>? extra = null) => Start("silo", extra);

    public async Task<EngineProcess> StartGatewayAsync(IDictionary<string, string?>? extra = null)
    {
        var sip = FreePort.Udp();
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>()) { ["Sip:Port"] = sip.ToString() };
        var gateway = await Start("gateway", settings);
        GatewaySipPorts.Add(sip);
        return gateway;
    }

    private Task<EngineProcess> Start(string role, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        string name;
        lock (_started) name = role + (_started[role] = _started.GetValueOrDefault(role) + 1);
        var folder = Path.Combine(_data.Path, name);
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(LogFolder);
        return EngineProcess.StartAsync(folder, settings, TimeSpan.FromSeconds(120), role, Path.Combine(LogFolder, name + ".log"));
    }

    /// <summary>Every process's pid with a name (silo1.., gateway1.., redis), for CPU accounting.</summary>
    public IEnumerable<(string Name, int Pid)> Processes()
    {
        yield return ("redis", Redis.Pid);
        for (var i = 0; i < Silos.Count; i++) yield return ($"silo{i + 1}", Silos[i].Pid);
        for (var i = 0; i < Gateways.Count; i++) yield return ($"gateway{i + 1}", Gateways[i].Pid);
    }

    private void CopyLogs(string to)
    {
        Directory.CreateDirectory(to);
        if (!Directory.Exists(LogFolder)) return;
        foreach (var file in Directory.GetFiles(LogFolder)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var g in Gateways) await g.DisposeAsync();
        foreach (var s in Silos) await s.DisposeAsync();
        await Redis.DisposeAsync();
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_KEEP_CLUSTER_LOGS") is { Length: > 0 } keep)
            CopyLogs(keep);
        _data.Dispose();
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;

namespace Switchboard.TestSupport;

/// <summary>
/// The engine as its own operating-system process (the built <c>Switchboard.Silo.dll</c> beside the tests), on a free
/// loopback port, so a test can SIGKILL it the way a crash or an OOM kill would and start it again on the same data.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;

    public Uri BaseAddress { get; }
    /// <summary>The engine's operating-system process id (benchmarks read its memory).</summary>
    public int ProcessId => _process.Id;
    public HttpClient Http { get; }

    private EngineProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SiloApp.AdminKey);
    }

    /// <summary>
    /// Starts the engine on <paramref name="storePath"/> with the test defaults plus <paramref name="settings"/>, in
    /// <paramref name="role"/> (configuration <c>Role</c>: silo, gateway, all; unset is all), and waits until <c>/healthz</c> answers.
    /// </summary>
    /// <param name="logFile">When set, every line the engine writes (stdout and stderr) is appended there too.</param>
    /// <param name="environment">Variables set for the engine process only (e.g. a runtime knob such as <c>DOTNET_GCgen0size</c>, which the runtime reads from nowhere else).</param>
    public static async Task<EngineProcess> StartAsync(string storePath, IDictionary<string, string?> settings, TimeSpan? within = null, string? role = null, string? logFile = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort.Tcp();
        var values = new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = SiloApp.AdminKey,
            ["Storage:Path"] = storePath,
            ["Orleans:SiloPort"] = FreePort.Tcp().ToString(),
            ["Orleans:GatewayPort"] = FreePort.Tcp().ToString(),
            ["Dashboard:Enabled"] = "false",
            ["Sip:Port"] = "0",
            ["Pii:MasterKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (role is not null) values["Role"] = role;
        foreach (var (k, v) in settings) values[k] = v;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Switchboard.Silo.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (k, v) in values) start.ArgumentList.Add($"--{k}={v}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("The engine process did not start.");
        // Drain the pipes so a chatty engine never blocks on a full one.
        var log = logFile is null ? null : TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log?.WriteLine(e.Data); };
        // The last lines of stderr say why an engine that exits early did.
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            log?.WriteLine(e.Data);
            errors.Enqueue(e.Data);
            while (errors.Count > 20) errors.TryDequeue(out string? _);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var engine = new EngineProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var ready = await Eventually.HoldsAsync(async () =>
        {
            if (process.HasExited)
            {
                // Without a timeout WaitForExit also waits until stderr is read to its end: the reason is in the message.
                process.WaitForExit();
                throw new InvalidOperationException($"The engine exited with code {process.ExitCode} before it was ready: {string.Join(Environment.NewLine, errors)}");
            }
            try { return (await engine.Http.GetAsync("healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, within ?? TimeSpan.FromSeconds(90));
        if (!ready) throw new TimeoutException("The engine did not answer /healthz in time.");
        return engine;
    }

    /// <summary>The operating-system process id (CPU figures read <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM and wait for the exit: the host's graceful shutdown (a silo leaves the membership, hands off its grains).</summary>
    public async Task TerminateAsync(TimeSpan? within = null)
    {
        if (_process.HasExited) return;
        _ = Signals.Terminate(_process.Id);
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(60));
        try { await _process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException) { Kill(); }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushes, like a power cut to the process.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

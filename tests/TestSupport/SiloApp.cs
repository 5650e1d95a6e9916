using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Silo;

namespace Switchboard.TestSupport;

/// <summary>
/// The real engine (silo + HTTP + channels) on free loopback ports with a temporary store, for HTTP, browser and sipp
/// tests. Logs are captured in <see cref="Logs"/> so tests can prove no raw PII reaches them.
/// </summary>
public sealed class SiloApp : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly TempDirectory? _ownDir;

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public string StorePath { get; }
    public CapturedLogs Logs { get; }
    public HttpClient Http { get; }

    private SiloApp(WebApplication app, Uri baseAddress, string storePath, CapturedLogs logs, TempDirectory? ownDir)
    {
        App = app;
        BaseAddress = baseAddress;
        StorePath = storePath;
        Logs = logs;
        _ownDir = ownDir;
        Http = new HttpClient { BaseAddress = baseAddress };
        Http.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
    }

    /// <param name="settings">Configuration overrides (e.g. <c>["ConnectionStrings:Redis"] = ...</c>).</param>
    /// <param name="storePath">Reuse a store across a restart; a fresh temporary one by default.</param>
    public static async Task<SiloApp> StartAsync(IDictionary<string, string?>? settings = null, string? storePath = null, Action<WebApplicationBuilder>? configure = null)
    {
        var own = storePath is null ? new TempDirectory() : null;
        var path = storePath ?? own!.Path;
        var logs = new CapturedLogs();
        var values = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Admin:ApiKey"] = AdminKey,
            ["Storage:Path"] = path,
            ["Orleans:SiloPort"] = FreePort.Tcp().ToString(),
            ["Orleans:GatewayPort"] = FreePort.Tcp().ToString(),
            ["Orleans:ClusterId"] = "test-" + Guid.NewGuid().ToString("n")[..8],
            ["Dashboard:Enabled"] = "false",
            // An ephemeral SIP port: several engines in one test run must not fight over 5060.
            ["Sip:Port"] = "0",
            ["Pii:MasterKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        };
        if (settings is not null)
            foreach (var (k, v) in settings) values[k] = v;
        var app = SwitchboardApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(values);
            b.Logging.ClearProviders();
            b.Logging.SetMinimumLevel(LogLevel.Information);
            b.Logging.AddProvider(logs);
            configure?.Invoke(b);
        });
        await app.StartAsync();
        var address = app.Urls.First();
        return new SiloApp(app, new Uri(address.EndsWith('/') ? address : address + "/"), path, logs, own);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _ownDir?.Dispose();
    }
}

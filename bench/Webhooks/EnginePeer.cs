using Microsoft.Extensions.Logging;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// The engine, in-process through TestSupport's <see cref="SiloApp"/> (silo + HTTP + channels on free ports), on the
/// embedded file store or on the shared redis-server. Driven only through <c>POST /webhooks/whatsapp</c>; its replies
/// leave through its outbox to the Graph stand-in.
/// </summary>
public sealed class EnginePeer : IWebhookPeer
{
    private readonly SiloApp _silo;

    public string Key { get; }
    public string Label { get; }
    public string BaseUrl { get; }

    private EnginePeer(SiloApp silo, string key, string label)
    {
        _silo = silo;
        Key = key;
        Label = label;
        BaseUrl = silo.BaseAddress.ToString().TrimEnd('/');
    }

    /// <param name="redisConnectionString">null: the embedded file store (write-through, fsync per write).</param>
    /// <param name="echo">true: the echo engine instead of the airline bot (what the engine answers with no bot).</param>
    /// <param name="overrides">Engine settings from <c>--set key=value</c> (repeatable), applied last: for experiments such as <c>--set Outbox:KeepSentPerShard=50</c>.</param>
    public static async Task<EnginePeer> StartAsync(string graphBaseUrl, string? redisConnectionString, bool echo, IReadOnlyDictionary<string, string> overrides)
    {
        var settings = AirlineSettings(graphBaseUrl);
        settings["Bots:Enabled"] = echo ? "false" : "true";
        if (redisConnectionString is not null) settings["ConnectionStrings:Redis"] = redisConnectionString;
        foreach (var (key, value) in overrides) settings[key] = value;
        var silo = await SiloApp.StartAsync(settings, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        var bot = echo ? ", echo engine" : "";
        return redisConnectionString is null
            ? new EnginePeer(silo, "file", "engine, embedded file store" + bot)
            : new EnginePeer(silo, "redis", "engine, Redis" + bot);
    }

    /// <summary>
    /// The shipped airline tenant and bot with WhatsApp against the Graph stand-in, set here rather than read from an
    /// appsettings.json in the working directory, so the figures do not depend on where a benchmark is started from.
    /// </summary>
    public static Dictionary<string, string?> AirlineSettings(string graphBaseUrl) => new()
    {
        ["Tenants:airline:DisplayName"] = "SkyWays Airlines",
        ["Tenants:airline:Bot"] = "airline",
        ["Tenants:airline:Default"] = "true",
        ["Tenants:airline:DefaultRegion"] = "IN",
        ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
        ["Tenants:airline:Endpoints:0:Value"] = SignedWebhook.PhoneNumberId,
        ["Tenants:airline:VoiceNumber"] = "+15550100000",
        ["WhatsApp:AppSecret"] = SignedWebhook.AppSecret,
        ["WhatsApp:VerifyToken"] = "bench-verify",
        ["WhatsApp:AccessToken"] = SignedWebhook.AccessToken,
        ["WhatsApp:PhoneNumberId"] = SignedWebhook.PhoneNumberId,
        ["WhatsApp:ApiBaseUrl"] = graphBaseUrl,
        // The highest send rate the engine accepts (Meta's 1,000/s tier). Above 1,000 webhooks/s this local token
        // bucket, not the turn path, would bound the engine's reply rate: docs/performance.md says so.
        ["WhatsApp:MaxSendsPerSecond"] = "100000",
        ["Outbox:Dispatcher:PollInterval"] = "00:00:00.200",
        // These closed loops run 16 senders or more and measure the turns' speed, not admission (`bench -- overload`
        // does that): the in-flight limit they have always run with (8 per core on two cores), not role all's 2 per core.
        ["Admission:Edge:MaxInFlightTurns"] = "16",
    };

    /// <summary>The embedded store's folder as a directory listing shows it (files, bytes, the largest file); nothing for Redis.</summary>
    public string StoreSummary()
    {
        if (Key != "file" || !Directory.Exists(_silo.StorePath)) return "store: redis-server";
        var files = new DirectoryInfo(_silo.StorePath).EnumerateFiles("*", SearchOption.AllDirectories).Select(f => f.Length).OrderDescending().ToList();
        return files.Count == 0 ? "store folder: empty"
            : $"store folder: {files.Count} files, {files.Sum() / 1024.0 / 1024:F1} MB, largest {files[0] / 1024.0:F0} KB, 10th largest {files[Math.Min(9, files.Count - 1)] / 1024.0:F0} KB, median {files[files.Count / 2] / 1024.0:F1} KB";
    }

    public ValueTask DisposeAsync() => _silo.DisposeAsync();
}

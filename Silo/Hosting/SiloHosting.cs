using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using StackExchange.Redis;
using Switchboard.Channels.Common;
using Switchboard.Grains;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage;
using Switchboard.Silo.Storage.Journal;
using Switchboard.Silo.Storage.Reminders;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// The silo's shape: embedded (localhost clustering, file store, reminders in the journal; nothing to install) unless
/// <c>ConnectionStrings:Redis</c> is set, then Redis clustering, storage and reminders. Tests build silos with the same code.
/// </summary>
public static class SiloHosting
{
    public const string ServiceId = "switchboard";

    public static string ServiceIdOf(IConfiguration config) => config["Orleans:ServiceId"] ?? ServiceId;

    /// <summary>The cluster id silos and gateways share on Redis clustering.</summary>
    public static string RedisClusterIdOf(IConfiguration config) => config["Orleans:ClusterId"] ?? "switchboard";

    public static WebApplicationBuilder AddSwitchboardSilo(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var redis = config.GetConnectionString("Redis");
        var storePath = DataFolder.Resolve(config, Directory.GetCurrentDirectory());
        var keys = MasterKeyLoader.Load(config, storePath, !string.IsNullOrWhiteSpace(redis), builder.Environment.IsProduction(),
            w => Console.Error.WriteLine("warning: " + w));
        builder.Services.AddSwitchboardCore(config, keys);
        builder.Services.AddExceptionHandler<ClusterUnavailable>();
        builder.Services.AddTurnCalls();
        builder.UseOrleans(silo => ConfigureSilo(silo, config, redis, storePath));
        return builder;
    }

    public static void ConfigureSilo(ISiloBuilder silo, IConfiguration config, string? redis, string storePath, bool localhostClustering = true)
    {
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>(StorageNames.Main);
        silo.Services.AddCachedGrainInterfaceTypes();
        ConfigureDirectoryCache(silo, config);
        if (Tracing.Enabled(config)) silo.AddActivityPropagation();
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var redisOptions = ConfigurationOptions.Parse(redis);
            if (localhostClustering)
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ServiceId = ServiceIdOf(config);
                    o.ClusterId = RedisClusterIdOf(config);
                });
                silo.ConfigureEndpoints(
                    siloPort: config.GetValue("Orleans:SiloPort", 11111),
                    gatewayPort: config.GetValue("Orleans:GatewayPort", 30000),
                    listenOnAnyHostAddress: config.GetValue("Orleans:ListenOnAnyHostAddress", false));
                silo.UseRedisClustering(o => o.ConfigurationOptions = redisOptions.Clone());
            }
            ClusterTimings.ConfigureSilo(silo, config);
            silo.AddIncomingGrainCallFilter<StoreUnavailableFilter>();
            DefaultPlacement.Configure(silo, config);
            silo.AddRedisGrainStorage(StorageNames.Main, o =>
            {
                o.ConfigurationOptions = redisOptions.Clone();
                // Erasure must leave nothing behind.
                o.DeleteStateOnClear = true;
            });
            silo.UseRedisReminderService(o => o.ConfigurationOptions = redisOptions.Clone());
            var prefix = config["Orleans:ServiceId"] ?? ServiceId;
            silo.Services.AddSingleton<IJournalStore>(_ => new RedisJournalStore(ConnectionMultiplexer.Connect(redisOptions.Clone()), prefix));
            if (config.GetValue("Orleans:Kubernetes", false)) silo.UseKubernetesHosting();
        }
        else
        {
            if (localhostClustering)
                silo.UseLocalhostClustering(
                    siloPort: config.GetValue("Orleans:SiloPort", 11111),
                    gatewayPort: config.GetValue("Orleans:GatewayPort", 30000),
                    serviceId: config["Orleans:ServiceId"] ?? ServiceId,
                    clusterId: config["Orleans:ClusterId"] ?? "dev");
            // Storage:Provider=memory keeps state in memory only (benchmarks, throwaway demos): nothing survives a restart.
            if (string.Equals(config["Storage:Provider"], "memory", StringComparison.OrdinalIgnoreCase))
            {
                silo.AddMemoryGrainStorage(StorageNames.Main);
                silo.Services.AddSingleton<IJournalStore, MemoryJournalStore>();
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Main, (sp, _) =>
                    new FileGrainStorage(StorageNames.Main, storePath, sp.GetRequiredKeyedService<IGrainStorageSerializer>(StorageNames.Main)));
                var wal = config.GetSection(WalOptions.Section).Get<WalOptions>() ?? new WalOptions();
                silo.Services.AddSingleton<IJournalStore>(sp =>
                {
                    var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Journal");
                    var store = new WriteAheadLogStore(Path.Combine(storePath, "journal"), wal, logger);
                    var r = store.Recovery;
                    logger.LogInformation("Journal recovered {Streams} streams ({Records} records in {Segments} segments) in {Elapsed} ms",
                        r.Streams, r.Records, r.Segments, (long)r.Elapsed.TotalMilliseconds);
                    return store;
                });
                // Reminders in the journal survive a restart, so a journey waiting for days wakes after a crash.
                silo.AddReminders();
                silo.Services.AddSingleton<IReminderTable, JournalReminderTable>();
            }
        }
        // Recovery runs before the silo takes traffic, not on the first turn.
        silo.AddStartupTask((sp, _) =>
        {
            sp.GetRequiredService<IJournalStore>();
            return Task.CompletedTask;
        });
        silo.AddMemoryGrainStorage("PubSubStore");
        if (config.GetValue("Dashboard:Enabled", true)) silo.AddDashboard();
    }

    /// <summary>The default bound of the silo's grain directory cache (<c>Orleans:DirectoryCacheSize</c>).</summary>
    public const int DefaultDirectoryCacheSize = 20_000;

    /// <summary>
    /// Bounds the grain directory cache. Orleans' default keeps up to 1,000,000 entries (an address, an LRU item and a
    /// dictionary node per grain ever called, kept after the grain deactivates): at one customer grain and one identity
    /// grain per customer that was about 1 KB per active customer (docs/performance.md, mem6 and mem7). The cache is only
    /// a hint: a grain missing from it is looked up in the directory (on its own silo when there is one silo), and a stale
    /// entry is corrected when the message reaches a silo without the activation, so a smaller bound costs a directory
    /// lookup on a colder customer's next message, never a second activation. 0 turns the cache off; otherwise at least 3.
    /// </summary>
    private static void ConfigureDirectoryCache(ISiloBuilder silo, IConfiguration config)
    {
        var size = config.GetValue("Orleans:DirectoryCacheSize", DefaultDirectoryCacheSize);
        // Orleans' LRU cache splits its capacity in three parts and refuses fewer than 3 entries.
        if (size is < 0 or 1 or 2) throw new ArgumentOutOfRangeException(nameof(config), size, "Orleans:DirectoryCacheSize must be 0 (no cache) or at least 3.");
        silo.Configure<GrainDirectoryOptions>(o =>
        {
            o.CacheSize = size;
            if (size == 0) o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None;
        });
    }
}

using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using StackExchange.Redis;
using Switchboard.Grains;
using Switchboard.Silo.Storage;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// The silo's shape: embedded (localhost clustering, file store, in-memory reminders; nothing to install) unless
/// <c>ConnectionStrings:Redis</c> is set, then Redis clustering, storage and reminders. Tests build silos with the same code.
/// </summary>
public static class SiloHosting
{
    public const string ServiceId = "switchboard";

    public static WebApplicationBuilder AddSwitchboardSilo(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var redis = config.GetConnectionString("Redis");
        var storePath = config[$"{FileGrainStorageOptions.Section}:Path"] ?? "data";
        var keys = MasterKeyLoader.Load(config, storePath, !string.IsNullOrWhiteSpace(redis), w => Console.Error.WriteLine("warning: " + w));
        builder.Services.AddSwitchboardCore(config, keys);
        builder.UseOrleans(silo => ConfigureSilo(silo, config, redis, storePath));
        return builder;
    }

    public static void ConfigureSilo(ISiloBuilder silo, IConfiguration config, string? redis, string storePath, bool localhostClustering = true)
    {
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>(StorageNames.Main);
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var redisOptions = ConfigurationOptions.Parse(redis);
            if (localhostClustering)
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ServiceId = config["Orleans:ServiceId"] ?? ServiceId;
                    o.ClusterId = config["Orleans:ClusterId"] ?? "switchboard";
                });
                silo.ConfigureEndpoints(
                    siloPort: config.GetValue("Orleans:SiloPort", 11111),
                    gatewayPort: config.GetValue("Orleans:GatewayPort", 30000),
                    listenOnAnyHostAddress: config.GetValue("Orleans:ListenOnAnyHostAddress", false));
                silo.UseRedisClustering(o => o.ConfigurationOptions = redisOptions.Clone());
            }
            silo.AddRedisGrainStorage(StorageNames.Main, o =>
            {
                o.ConfigurationOptions = redisOptions.Clone();
                // Erasure must leave nothing behind.
                o.DeleteStateOnClear = true;
            });
            silo.UseRedisReminderService(o => o.ConfigurationOptions = redisOptions.Clone());
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
                silo.AddMemoryGrainStorage(StorageNames.Main);
            else
                silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Main, (sp, _) =>
                    new FileGrainStorage(StorageNames.Main, storePath, sp.GetRequiredKeyedService<IGrainStorageSerializer>(StorageNames.Main)));
            silo.UseInMemoryReminderService();
        }
        silo.AddMemoryGrainStorage("PubSubStore");
        if (config.GetValue("Dashboard:Enabled", true)) silo.AddDashboard();
    }
}

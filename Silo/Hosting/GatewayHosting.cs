using Orleans.Configuration;
using StackExchange.Redis;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// A gateway's link to the silos: an Orleans client on Redis clustering (<c>ConnectionStrings:Redis</c>, required) with the
/// silos' ServiceId and ClusterId. It holds no grains; channels reach them through <see cref="IGrainFactory"/>.
/// </summary>
public static class GatewayHosting
{
    public static WebApplicationBuilder AddSwitchboardClient(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var redis = config.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
            throw new InvalidOperationException(
                "Role=gateway needs ConnectionStrings:Redis (the silos' Redis clustering) to find the silos: set --ConnectionStrings:Redis=host:port.");
        var redisOptions = ConfigurationOptions.Parse(redis);
        // Replies leave from here: the recipients the silos seal are opened with the same PII master keys.
        var pii = config.GetSection(Switchboard.Grains.Pii.PiiOptions.Section).Get<Switchboard.Grains.Pii.PiiOptions>() ?? new Switchboard.Grains.Pii.PiiOptions();
        if (string.IsNullOrWhiteSpace(pii.MasterKey))
            throw new InvalidOperationException($"Role=gateway needs Pii:MasterKey (and any Pii:MasterKeys, Pii:ActiveMasterKey), the same as the silos': it opens the sealed recipients of the replies it sends. {MasterKeyLoader.HowToMakeAKey}.");
        builder.Services.AddSingleton(Switchboard.Grains.Pii.CustomerKeys.FromOptions(pii, out _).Recipients());
        builder.Services.AddExceptionHandler<ClusterUnavailable>();
        builder.Services.AddTurnCalls();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = SiloHosting.ServiceIdOf(config);
                o.ClusterId = SiloHosting.RedisClusterIdOf(config);
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = redisOptions.Clone());
            client.Services.AddCachedGrainInterfaceTypes();
            ClusterTimings.ConfigureClient(client, config);
            // A closed silo connection fails the turn calls waiting on it at once (Orleans would wait for their timeout).
            client.AddClusterConnectionStatusObserver<SiloConnectionObserver>();
            if (Tracing.Enabled(config)) client.AddActivityPropagation();
            // A gateway started before its silos waits for them (logging each failed attempt) instead of exiting.
            client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
            {
                Console.Error.WriteLine($"warning: no silo reachable yet ({exception.GetType().Name}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return !cancellationToken.IsCancellationRequested;
            });
        });
        return builder;
    }
}

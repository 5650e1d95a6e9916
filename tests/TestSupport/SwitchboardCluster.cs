using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Switchboard.Grains;
using Switchboard.Grains.Pii;
using Switchboard.Silo.Hosting;

namespace Switchboard.TestSupport;

/// <summary>
/// An in-process Orleans test cluster running the real grains with the host's own storage wiring: the embedded file
/// store at <see cref="StorePath"/>, or Redis when a connection string is given. Logs of every silo are captured.
/// </summary>
public static class SwitchboardCluster
{
    public static readonly byte[] TestMasterKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static Dictionary<string, string?> TenantSettings() => new()
    {
        ["Tenants:airline:DisplayName"] = "SkyWays Airlines",
        ["Tenants:airline:Bot"] = "airline",
        ["Tenants:airline:Default"] = "true",
        ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
        ["Tenants:airline:Endpoints:0:Value"] = "109876543210",
        ["Tenants:airline:VoiceNumber"] = "+15550100000",
        ["Tenants:autoservice:DisplayName"] = "Torque Auto Service",
        ["Tenants:autoservice:Bot"] = "autoservice",
        ["Tenants:autoservice:Endpoints:0:Channel"] = "whatsapp",
        ["Tenants:autoservice:Endpoints:0:Value"] = "109876543299",
        ["Tenants:autoservice:VoiceNumber"] = "+15550100099",
    };

    public static async Task<InProcessTestCluster> StartAsync(
        short silos = 1,
        string? redis = null,
        string? storePath = null,
        CapturedLogs? logs = null,
        TimeProvider? time = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var values = TenantSettings();
        values["Dashboard:Enabled"] = "false";
        if (settings is not null)
            foreach (var (k, v) in settings) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var path = storePath ?? Directory.CreateTempSubdirectory("switchboard-store-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        // Storage keys start with the service id: a restarted cluster must be the same service.
        builder.Options.ServiceId = SiloHosting.ServiceId;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddConfiguration(configuration);
            host.Services.AddSwitchboardCore(configuration, new CustomerKeys(TestMasterKey));
            if (time is not null) host.Services.Replace(ServiceDescriptor.Singleton(time));
            services?.Invoke(host.Services);
            if (logs is not null) host.Logging.AddProvider(logs);
        });
        builder.ConfigureSilo((_, silo) => SiloHosting.ConfigureSilo(silo, configuration, redis, path, localhostClustering: false));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

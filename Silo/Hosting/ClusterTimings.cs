using Orleans.Configuration;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// How fast a cluster notices a lost process, from configuration: <c>Orleans:Membership</c> (<see cref="ClusterMembershipOptions"/>:
/// a silo missing <c>NumMissedProbesLimit</c> probes of <c>ProbeTimeout</c> each, voted by <c>NumVotesForDeathDeclaration</c>
/// silos, is declared dead), <c>Orleans:Messaging:ResponseTimeout</c> (a grain call's deadline) and, on gateways,
/// <c>Orleans:ClientMessaging:ResponseTimeout</c> (their calls' deadline, shorter: a call routed to a silo that just died
/// is never answered) and <c>Orleans:Gateway:GatewayListRefreshPeriod</c>. Silo/appsettings.json holds the values docs/cluster.md measures.
/// </summary>
public static class ClusterTimings
{
    public const string MembershipSection = "Orleans:Membership";
    public const string MessagingSection = "Orleans:Messaging";
    public const string GatewaySection = "Orleans:Gateway";
    /// <summary>A gateway's own messaging settings, over <see cref="MessagingSection"/>: its calls' response timeout.</summary>
    public const string ClientMessagingSection = "Orleans:ClientMessaging";

    public static void ConfigureSilo(ISiloBuilder silo, IConfiguration config)
    {
        silo.Configure<ClusterMembershipOptions>(config.GetSection(MembershipSection));
        silo.Configure<SiloMessagingOptions>(config.GetSection(MessagingSection));
    }

    public static void ConfigureClient(IClientBuilder client, IConfiguration config)
    {
        client.Configure<ClientMessagingOptions>(config.GetSection(MessagingSection));
        client.Configure<ClientMessagingOptions>(config.GetSection(ClientMessagingSection));
        client.Configure<GatewayOptions>(config.GetSection(GatewaySection));
    }
}

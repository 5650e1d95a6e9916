using Azure.Messaging.EventHubs;
using Orleans.Configuration;
using Switchboard.Grains.Analytics;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// The production transport: the <see cref="InteractionStreams.Provider"/> stream provider on Azure Event Hubs, chosen
/// by <c>ConnectionStrings:EventHubs</c>. The hub comes from the connection string's <c>EntityPath</c> or
/// <c>Analytics:EventHubs:Hub</c>; silos keep their read positions in Azure Table storage
/// (<c>ConnectionStrings:EventHubsCheckpoints</c>). Checked at start, before any traffic.
/// </summary>
public sealed record EventHubsStreaming(string ConnectionString, string Hub, string ConsumerGroup, string? CheckpointConnectionString)
{
    public const string ConnectionName = "EventHubs";
    public const string CheckpointConnectionName = "EventHubsCheckpoints";
    public const string Section = "Analytics:EventHubs";

    /// <summary>Null when Event Hubs is not configured (the embedded memory streams are used).</summary>
    public static EventHubsStreaming? From(IConfiguration config, bool hostsGrains)
    {
        var connection = config.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connection)) return null;
        EventHubsConnectionStringProperties parsed;
        try
        {
            parsed = EventHubsConnectionStringProperties.Parse(connection);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // The message names the missing part; the value (a secret) is never repeated.
            throw new InvalidOperationException($"ConnectionStrings:EventHubs is not an Event Hubs connection string: {e.Message}");
        }
        if (parsed.Endpoint is null)
            throw new InvalidOperationException("ConnectionStrings:EventHubs has no Endpoint=sb://<namespace>.servicebus.windows.net/.");
        if (string.IsNullOrWhiteSpace(parsed.SharedAccessKeyName) && string.IsNullOrWhiteSpace(parsed.SharedAccessSignature))
            throw new InvalidOperationException("ConnectionStrings:EventHubs needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature).");
        var hub = parsed.EventHubName ?? config[$"{Section}:Hub"];
        if (string.IsNullOrWhiteSpace(hub))
            throw new InvalidOperationException($"Name the event hub: EntityPath= in ConnectionStrings:EventHubs or {Section}:Hub.");
        if (!string.IsNullOrWhiteSpace(parsed.EventHubName) && !string.IsNullOrWhiteSpace(config[$"{Section}:Hub"])
            && !string.Equals(parsed.EventHubName, config[$"{Section}:Hub"], StringComparison.Ordinal))
            throw new InvalidOperationException($"ConnectionStrings:EventHubs (EntityPath) and {Section}:Hub name different hubs.");
        var checkpoints = config.GetConnectionString(CheckpointConnectionName);
        if (hostsGrains && string.IsNullOrWhiteSpace(checkpoints))
            throw new InvalidOperationException(
                "With ConnectionStrings:EventHubs a silo needs ConnectionStrings:EventHubsCheckpoints (Azure Table storage) to keep its read positions.");
        return new EventHubsStreaming(connection, hub, config[$"{Section}:ConsumerGroup"] ?? "$Default", checkpoints);
    }

    public void Configure(EventHubOptions o) => o.ConfigureEventHubConnection(ConnectionString, Hub, ConsumerGroup);

    public void AddTo(ISiloBuilder silo) =>
        silo.AddEventHubStreams(InteractionStreams.Provider, b =>
        {
            b.ConfigureEventHub(ob => ob.Configure(Configure));
            b.UseAzureTableCheckpointer(ob => ob.Configure(o =>
            {
                o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(CheckpointConnectionString);
                o.PersistInterval = TimeSpan.FromSeconds(10);
            }));
        });

    public void AddTo(IClientBuilder client) =>
        client.AddEventHubStreams(InteractionStreams.Provider, b => b.ConfigureEventHub(ob => ob.Configure(Configure)));
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Switchboard.Silo;
using Switchboard.Silo.Analytics;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>No Event Hubs runs here: the configuration path is tested as far as it goes without one (validation, registration).</summary>
public sealed class EventHubsConfigurationTests
{
    private const string Valid = "Endpoint=sb://switchboard-test.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==";
    private const string Checkpoints = "DefaultEndpointsProtocol=https;AccountName=switchboardtest;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net";

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Without_a_connection_string_the_embedded_memory_streams_are_used() =>
        Assert.Null(EventHubsStreaming.From(Config(), hostsGrains: true));

    [Theory]
    [InlineData("not a connection string", "not an Event Hubs connection string")]
    [InlineData("Endpoint=sb://switchboard-test.servicebus.windows.net/", "SharedAccessKeyName")]
    [InlineData(Valid, "Name the event hub")]
    public void A_wrong_connection_string_stops_the_start_saying_what_is_missing(string connection, string says)
    {
        var e = Assert.Throws<InvalidOperationException>(() => EventHubsStreaming.From(Config(("ConnectionStrings:EventHubs", connection)), hostsGrains: false));
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain("c2VjcmV0", e.Message);
    }

    [Fact]
    public void A_silo_needs_checkpoint_storage_a_gateway_does_not()
    {
        var config = Config(("ConnectionStrings:EventHubs", Valid + ";EntityPath=interactions"));
        Assert.Contains("EventHubsCheckpoints", Assert.Throws<InvalidOperationException>(() => EventHubsStreaming.From(config, hostsGrains: true)).Message);
        var gateway = EventHubsStreaming.From(config, hostsGrains: false)!;
        Assert.Equal(("interactions", "$Default"), (gateway.Hub, gateway.ConsumerGroup));
        Assert.Contains("different hubs", Assert.Throws<InvalidOperationException>(() => EventHubsStreaming.From(
            Config(("ConnectionStrings:EventHubs", Valid + ";EntityPath=interactions"), ("Analytics:EventHubs:Hub", "other")), hostsGrains: false)).Message);
    }

    [Fact]
    public async Task The_engine_registers_the_analytics_stream_provider_on_event_hubs_when_configured()
    {
        using var store = new TempDirectory();
        var app = SwitchboardApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = SiloApp.AdminKey,
            ["Storage:Path"] = store.Path,
            ["Pii:MasterKey"] = Convert.ToBase64String(new byte[32]),
            ["ConnectionStrings:EventHubs"] = Valid,
            ["ConnectionStrings:EventHubsCheckpoints"] = Checkpoints,
            ["Analytics:EventHubs:Hub"] = "interactions",
            ["Analytics:EventHubs:ConsumerGroup"] = "analytics",
        }));
        try
        {
            // Orleans' own validators (what the silo runs at start) accept the provider's options as registered...
            var hub = app.Services.GetRequiredService<IOptionsMonitor<EventHubOptions>>();
            new EventHubOptionsValidator(hub.Get("analytics"), "analytics").ValidateConfiguration();
            var checkpoints = app.Services.GetRequiredService<IOptionsMonitor<AzureTableStreamCheckpointerOptions>>();
            new AzureTableStreamCheckpointerOptionsValidator(checkpoints.Get("analytics"), "analytics").ValidateConfiguration();
            // ...and refuse a provider nobody configured, so the check above is not vacuous.
            Assert.ThrowsAny<Exception>(() => new EventHubOptionsValidator(hub.Get("unconfigured"), "unconfigured").ValidateConfiguration());
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}

using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests;

/// <summary>One engine and one Graph stand-in shared by a test class; each test uses its own WhatsApp number.</summary>
public sealed class WhatsAppFixture : IAsyncLifetime
{
    public GraphStandIn Graph { get; private set; } = null!;
    public SiloApp Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Graph = await GraphStandIn.StartAsync();
        Silo = await Wire.StartAsync(Graph.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Graph.DisposeAsync();
    }
}

using Switchboard.TestSupport;

namespace Switchboard.Dialog.Tests;

/// <summary>One real engine (silo, file store, shipped bots from appsettings) shared by the tests of a collection.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public SiloApp Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await SiloApp.StartAsync();

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}

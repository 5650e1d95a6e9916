using Microsoft.Extensions.DependencyInjection;
using Switchboard.Dialog;
using Switchboard.TestSupport;

namespace Switchboard.Dialog.Tests;

/// <summary>One real engine (silo, file store, shipped bots from appsettings, the dialog trace stories check) shared by the tests of a collection.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public SiloApp Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await SiloApp.StartAsync(configure: b => b.Services.AddSingleton<DialogTrace>());

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}

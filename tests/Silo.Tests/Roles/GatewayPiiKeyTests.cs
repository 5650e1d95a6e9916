using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Silo.Tests.Roles;

/// <summary>A gateway opens the reply recipients the silos seal: it needs their PII master key, and says so when it has none.</summary>
public sealed class GatewayPiiKeyTests
{
    private static Dictionary<string, string?> Gateway() => new()
    {
        ["Role"] = "gateway",
        ["ConnectionStrings:Redis"] = "127.0.0.1:1,abortConnect=false",
        ["urls"] = "http://127.0.0.1:0",
    };

    [Fact]
    public void A_gateway_without_the_pii_master_key_refuses_to_start_and_names_it()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => SwitchboardApp.Build([], b => b.Configuration.AddInMemoryCollection(Gateway())));
        Assert.Contains("Pii:MasterKey", failure.Message);
        Assert.Contains("Role=gateway", failure.Message);
    }

    [Fact]
    public async Task A_gateway_with_the_silos_keys_opens_what_they_sealed()
    {
        var legacy = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var k2 = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray());
        var settings = Gateway();
        settings["Pii:MasterKey"] = legacy;
        settings["Pii:MasterKeys:k2"] = k2;
        settings["Pii:ActiveMasterKey"] = "k2";
        await using var app = SwitchboardApp.Build([], b => b.Configuration.AddInMemoryCollection(settings));
        var seal = app.Services.GetRequiredService<RecipientSeal>();
        // What a silo sealed before the rotation (legacy key) and after it (k2) both open; new seals are under k2.
        var before = new Grains.Pii.CustomerKeys(Convert.FromBase64String(legacy)).Recipients().Seal("919800000001");
        Assert.Equal("919800000001", seal.Open(before));
        Assert.Equal("k2", RecipientSeal.KeyIdOf(seal.Seal("919800000001")));
    }
}

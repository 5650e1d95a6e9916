using Microsoft.Extensions.Configuration;
using Switchboard.Silo.Hosting;

namespace Switchboard.Silo.Tests.Roles;

public sealed class RoleSettingTests
{
    private static SwitchboardRole RoleOf(string? value) =>
        SwitchboardRoles.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Role"] = value }).Build());

    [Theory]
    [InlineData(null, SwitchboardRole.All)]
    [InlineData("", SwitchboardRole.All)]
    [InlineData("all", SwitchboardRole.All)]
    [InlineData("Silo", SwitchboardRole.Silo)]
    [InlineData(" gateway ", SwitchboardRole.Gateway)]
    public void Role_is_read_case_insensitively_and_defaults_to_all(string? value, SwitchboardRole expected) =>
        Assert.Equal(expected, RoleOf(value));

    [Fact]
    public void An_unknown_role_stops_the_start_naming_the_roles_there_are()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => RoleOf("client"));
        Assert.Contains("silo, gateway or all", failure.Message);
    }

    [Fact]
    public void All_hosts_grains_and_channels_silo_only_grains_gateway_only_channels()
    {
        Assert.Equal((true, true), (SwitchboardRole.All.HostsGrains(), SwitchboardRole.All.HostsChannels()));
        Assert.Equal((true, false), (SwitchboardRole.Silo.HostsGrains(), SwitchboardRole.Silo.HostsChannels()));
        Assert.Equal((false, true), (SwitchboardRole.Gateway.HostsGrains(), SwitchboardRole.Gateway.HostsChannels()));
    }
}

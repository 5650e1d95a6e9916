using Microsoft.Extensions.Configuration;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Tests.Tenancy;

public class TenantDirectoryTests
{
    private static TenantDirectory Two() => new([
        new TenantOptions { Id = "airline", Default = true, Endpoints = [new(Channel.WhatsApp, "109876543210"), new(Channel.Voice, "+15550100000")] },
        new TenantOptions { Id = "autoservice", Endpoints = [new(Channel.WhatsApp, "109876543299"), new(Channel.Voice, "+15550100099")] },
    ]);

    private static TenantDirectory Load(Dictionary<string, string?> settings) =>
        new(TenantConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));

    [Fact]
    public void A_request_is_routed_by_the_endpoint_it_arrived_on()
    {
        var d = Two();
        Assert.Equal("autoservice", d.ForEndpoint(Channel.WhatsApp, "109876543299").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.Voice, "15550100099").Id);
        Assert.Equal("airline", d.ForEndpoint(Channel.WhatsApp, "000").Id);
        Assert.Equal("airline", d.ForEndpoint(Channel.WebChat, null).Id);
    }

    [Fact]
    public void An_endpoint_routes_only_on_its_own_channel()
    {
        // The same digits as a WhatsApp phone-number id and as an SMS number are two endpoints.
        var d = Two();
        Assert.Equal("airline", d.ForEndpoint(Channel.Sms, "109876543299").Id);
    }

    [Fact]
    public void Named_tenants_are_found_and_unknown_names_are_not_defaulted()
    {
        var d = Two();
        Assert.Equal("airline", d.FindOrDefault(null)!.Id);
        Assert.Equal("autoservice", d.FindOrDefault("autoservice")!.Id);
        Assert.Null(d.FindOrDefault("nobody"));
    }

    [Fact]
    public void Conflicting_configuration_fails_at_start()
    {
        Assert.Throws<InvalidOperationException>(() => new TenantDirectory([new TenantOptions { Id = "a" }, new TenantOptions { Id = "a" }]));
        Assert.Throws<InvalidOperationException>(() => new TenantDirectory([new TenantOptions { Id = "a", Default = true }, new TenantOptions { Id = "b", Default = true }]));
        Assert.Throws<InvalidOperationException>(() => new TenantDirectory([
            new TenantOptions { Id = "a", Endpoints = [new(Channel.Voice, "100")] }, new TenantOptions { Id = "b", Endpoints = [new(Channel.Voice, "100")] }]));
        Assert.Throws<InvalidOperationException>(() => new TenantDirectory([new TenantOptions { Id = "bad id/" }]));
    }

    [Fact]
    public void Endpoints_are_configured_as_channel_and_value_pairs()
    {
        var d = Load(new()
        {
            ["Tenants:airline:Default"] = "true",
            ["Tenants:autoservice:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:autoservice:Endpoints:0:Value"] = "109876543299",
            ["Tenants:autoservice:Endpoints:1:Channel"] = "webchat",
            ["Tenants:autoservice:Endpoints:1:Value"] = "torque-web",
            ["Tenants:autoservice:Endpoints:2:Channel"] = "voice",
            ["Tenants:autoservice:Endpoints:2:Value"] = "2000",
        });
        Assert.Equal("autoservice", d.ForEndpoint(Channel.WhatsApp, "109876543299").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.WebChat, "torque-web").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.Voice, "2000").Id);
        Assert.Equal(["torque-web"], d.Find("autoservice")!.EndpointsOn(Channel.WebChat));
    }

    [Fact]
    public void The_earlier_list_per_channel_keys_still_route()
    {
        var d = Load(new()
        {
            ["Tenants:airline:Default"] = "true",
            ["Tenants:autoservice:WhatsAppPhoneNumberIds:0"] = "109876543299",
            ["Tenants:autoservice:SipNumbers:0"] = "+15550100099",
            ["Tenants:autoservice:WebChatSiteKeys:0"] = "torque-web",
            ["Tenants:autoservice:SmsNumbers:0"] = "+15550100098",
            ["Tenants:autoservice:RcsAgentIds:0"] = "torque-agent",
        });
        Assert.Equal("autoservice", d.ForEndpoint(Channel.WhatsApp, "109876543299").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.Voice, "+15550100099").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.WebChat, "torque-web").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.Sms, "+15550100098").Id);
        Assert.Equal("autoservice", d.ForEndpoint(Channel.Rcs, "torque-agent").Id);
    }
}

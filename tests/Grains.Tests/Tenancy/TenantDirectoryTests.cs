using Switchboard.Grains.Tenancy;

namespace Switchboard.Grains.Tests.Tenancy;

public class TenantDirectoryTests
{
    private static TenantDirectory Two() => new([
        new TenantOptions { Id = "airline", Default = true, WhatsAppPhoneNumberIds = ["109876543210"], SipNumbers = ["+15550100000"] },
        new TenantOptions { Id = "autoservice", WhatsAppPhoneNumberIds = ["109876543299"], SipNumbers = ["+15550100099"] },
    ]);

    [Fact]
    public void A_request_is_routed_by_the_endpoint_it_arrived_on()
    {
        var d = Two();
        Assert.Equal("autoservice", d.ForEndpoint(TenantEndpoint.WhatsAppPhoneNumberId, "109876543299").Id);
        Assert.Equal("autoservice", d.ForEndpoint(TenantEndpoint.SipNumber, "15550100099").Id);
        Assert.Equal("airline", d.ForEndpoint(TenantEndpoint.WhatsAppPhoneNumberId, "000").Id);
        Assert.Equal("airline", d.ForEndpoint(TenantEndpoint.WebChatSiteKey, null).Id);
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
            new TenantOptions { Id = "a", SipNumbers = ["100"] }, new TenantOptions { Id = "b", SipNumbers = ["100"] }]));
        Assert.Throws<InvalidOperationException>(() => new TenantDirectory([new TenantOptions { Id = "bad id/" }]));
    }
}

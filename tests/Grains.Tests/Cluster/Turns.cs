using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Cluster;

/// <summary>Small builders for inbound turns and grain lookups, so tests read as the story they tell.</summary>
internal static class Turns
{
    public const string Tenant = "airline";

    public static InboundTurn WhatsApp(string waId, string text, string? messageId = null) =>
        new(Tenant, Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, waId), messageId ?? "wamid." + Guid.NewGuid().ToString("n"), text, null, DateTimeOffset.UtcNow);

    public static InboundTurn Voice(string callerUri, string text, string? messageId = null) =>
        new(Tenant, Channel.Voice, new ChannelAddress(AddressKind.Phone, callerUri), messageId ?? "call." + Guid.NewGuid().ToString("n"), text, null, DateTimeOffset.UtcNow);

    public static InboundTurn Web(string visitor, string text, string? messageId = null) =>
        new(Tenant, Channel.WebChat, new ChannelAddress(AddressKind.WebVisitor, visitor), messageId ?? "web." + Guid.NewGuid().ToString("n"), text, null, DateTimeOffset.UtcNow);

    public static IConversationIngressGrain Ingress(this IGrainFactory grains) => grains.GetGrain<IConversationIngressGrain>(0);

    public static ICustomerGrain Customer(this IGrainFactory grains, string customerId) => grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(Tenant, customerId));

    /// <summary>
    /// One customer with every kind of change the journal records: turns past a snapshot, PII, consent by API, a linked
    /// address, a session token and a PII resolution, then one more turn. Returns the customer, a PII token and the canary.
    /// </summary>
    public static async Task<(string Id, string Token, Canary Canary)> EveryKindOfChange(IGrainFactory grains, string wa)
    {
        var canary = new Canary();
        var id = (await grains.Ingress().Receive(WhatsApp(wa, $"my card is {canary.Card}"))).CustomerId;
        for (var i = 0; i < CustomerGrain.SnapshotEvery + 7; i++)
            await grains.Ingress().Receive(WhatsApp(wa, i % 5 == 0 ? "I missed my connection" : $"message {i}"));
        var customer = grains.Customer(id);
        await customer.RecordConsent(new ConsentChange(Channel.Sms, ConsentPurpose.Marketing, ConsentStatus.Granted, "web-form", "form 7", default));
        await grains.Ingress().LinkAddress(Tenant, id, new ChannelAddress(AddressKind.CrmId, "crm-" + wa));
        await customer.IssueSessionToken("continue-on-web", TimeSpan.FromMinutes(30));
        var token = (await customer.GetView()).PiiTokens.First();
        await customer.ResolvePii(token, "refund", "agent-7");
        await grains.Ingress().Receive(WhatsApp(wa, "one more after the admin calls"));
        return (id, token, canary);
    }

    /// <summary>Everything a customer grain shows, serialised to one comparable string.</summary>
    public static async Task<string> Snapshot(ICustomerGrain customer)
    {
        var view = await customer.GetView();
        var page = await customer.GetTranscript();
        var audit = await customer.GetPiiAudit();
        var options = new System.Text.Json.JsonSerializerOptions { WriteIndented = false };
        return System.Text.Json.JsonSerializer.Serialize(new { view, page, audit }, options);
    }

}

using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

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
}

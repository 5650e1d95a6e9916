using System.Security.Cryptography;
using Orleans.Concurrency;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Tenancy;

namespace Switchboard.Grains.Conversation;

[StatelessWorker]
public sealed class ConversationIngressGrain(TenantDirectory tenants, SessionTokens sessionTokens, AddressPseudonyms pseudonyms) : Grain, IConversationIngressGrain
{
    public async Task<TurnResult> Receive(InboundTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var tenant = RequireTenant(turn.Tenant);
        var address = AddressNormalizer.Normalize(turn.From.Kind, turn.From.Value, tenant.DefaultRegion);
        var identity = GrainFactory.GetGrain<IIdentityGrain>(pseudonyms.IdentityKey(tenant.Id, address));
        var customerId = await identity.GetOrBind(NewCustomerId());
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId));
        return await customer.HandleTurn(turn with { From = address });
    }

    public async Task<string?> Resolve(string tenant, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        var customerId = await GrainFactory.GetGrain<IIdentityGrain>(pseudonyms.IdentityKey(t.Id, normalized)).GetCustomerId();
        if (customerId is null) return null;
        return await GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId)).Exists() ? customerId : null;
    }

    public async Task<string?> JoinWithSessionToken(string tenant, string sessionToken, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var claims = sessionTokens.Validate(t.Id, sessionToken);
        if (claims is null) return null;
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, claims.CustomerId));
        if (!await customer.Exists()) return null;
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        await GrainFactory.GetGrain<IIdentityGrain>(pseudonyms.IdentityKey(t.Id, normalized)).Bind(claims.CustomerId);
        await customer.LinkAddress(normalized);
        return claims.CustomerId;
    }

    private TenantOptions RequireTenant(string tenant) =>
        tenants.Find(tenant) ?? throw new ArgumentException($"Unknown tenant '{tenant}'.");

    private static string NewCustomerId() => "c-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}

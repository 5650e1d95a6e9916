using System.Security.Cryptography;
using Orleans.Concurrency;
using Switchboard.Addressing;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Conversation;

[StatelessWorker]
public sealed class ConversationIngressGrain(TenantDirectory tenants, SessionTokens sessionTokens, AddressPseudonyms pseudonyms, TimeProvider time) : Grain, IConversationIngressGrain
{
    public async Task<TurnResult> Receive(InboundTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var tenant = RequireTenant(turn.Tenant);
        CustomerGrain.Validate(turn);
        var address = AddressNormalizer.Normalize(turn.From.Kind, turn.From.Value, tenant.DefaultRegion);
        var customerId = await pseudonyms.GetOrBindAsync(GrainFactory, tenant.Id, address, NewCustomerId());
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId));
        return await customer.HandleTurn(turn with { From = address });
    }

    public async Task<string?> Resolve(string tenant, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        var customerId = await pseudonyms.FindAsync(GrainFactory, t.Id, normalized);
        if (customerId is null) return null;
        return await GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId)).Exists() ? customerId : null;
    }

    public async Task<string> Register(string tenant, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        var customerId = await pseudonyms.GetOrBindAsync(GrainFactory, t.Id, normalized, NewCustomerId());
        await GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId)).Register(normalized);
        return customerId;
    }

    public async Task<string?> JoinWithSessionToken(string tenant, string sessionToken, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var claims = sessionTokens.Validate(t.Id, sessionToken);
        if (claims is null) return null;
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, claims.CustomerId));
        if (!await customer.Exists()) return null;
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        await pseudonyms.BindAsync(GrainFactory, t.Id, normalized, claims.CustomerId);
        await customer.LinkAddress(normalized);
        return claims.CustomerId;
    }

    public async Task LinkAddress(string tenant, string customerId, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId));
        if (!await customer.Exists()) throw new UnknownCustomerException(t.Id, customerId);
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        await pseudonyms.BindAsync(GrainFactory, t.Id, normalized, customerId);
        await customer.LinkAddress(normalized);
    }

    public async Task<string> IssueCallCode(string tenant, string customerId, TimeSpan lifetime)
    {
        var t = RequireTenant(tenant);
        if (!await GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId)).Exists())
            throw new UnknownCustomerException(t.Id, customerId);
        return await CallCodes.ClaimAsync(GrainFactory, t.Id, customerId, time.GetUtcNow().Add(lifetime));
    }

    public async Task<string?> JoinWithCallCode(string tenant, string code, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        if (code.Length != 6 || !code.All(char.IsAsciiDigit)) return null;
        var customerId = await GrainFactory.GetGrain<ICallCodeGrain>($"{t.Id}/{code}").Redeem();
        if (customerId is null) return null;
        await LinkAddress(t.Id, customerId, address);
        return customerId;
    }

    private TenantOptions RequireTenant(string tenant) =>
        tenants.Find(tenant) ?? throw new ArgumentException($"Unknown tenant '{tenant}'.");

    private static string NewCustomerId() => "c-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}

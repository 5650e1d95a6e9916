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
public sealed class ConversationIngressGrain(TenantDirectory tenants, SessionTokens sessionTokens, AddressPseudonyms pseudonyms, IdentityBindingCache bindings,
    TimeProvider time) : Grain, IConversationIngressGrain
{
    /// <summary>Rounds of the link protocol before giving up when the address's binding keeps changing under it.</summary>
    private const int LinkAttempts = 8;

    /// <summary>
    /// A known sender's turn goes straight to its customer (one grain call): the silo's <see cref="IdentityBindingCache"/>
    /// names the customer, which accepts it only if the address is still its own. Otherwise, and for a new sender, the
    /// identity grain binds or finds the customer first, as the source of truth.
    /// </summary>
    public async Task<TurnResult> Receive(InboundTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(turn.From);
        var tenant = RequireTenant(turn.Tenant);
        CustomerGrain.Validate(turn);
        var address = AddressNormalizer.Normalize(turn.From.Kind, turn.From.Value, tenant.DefaultRegion);
        var identityKey = pseudonyms.IdentityKey(tenant.Id, address);
        if (!address.Equals(turn.From)) turn = turn with { From = address };
        if (bindings.TryGet(identityKey, out IdentityBindingCache.Binding known))
        {
            if (await known.Customer.HandleTurnFrom(turn, cached: true) is { } direct) return direct;
            bindings.Forget(identityKey, known);
        }
        // Without a key rotation under way this is the one identity call it always was (AddressPseudonyms).
        var customerId = await pseudonyms.GetOrBindAsync(GrainFactory, tenant.Id, address, NewCustomerId());
        var customer = Customer(tenant.Id, customerId);
        var result = await customer.HandleTurnFrom(turn, cached: false)
            ?? throw new InvalidOperationException("A customer refused a turn routed by the identity grain.");
        if (result.AddressBound) bindings.Remember(identityKey, customerId, customer);
        return result;
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
        await Bind(t.Id, normalized, claims.CustomerId);
        await customer.LinkAddress(normalized);
        return claims.CustomerId;
    }

    public async Task LinkAddress(string tenant, string customerId, ChannelAddress address)
    {
        var t = RequireTenant(tenant);
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId));
        if (!await customer.Exists()) throw new UnknownCustomerException(t.Id, customerId);
        var normalized = AddressNormalizer.Normalize(address.Kind, address.Value, t.DefaultRegion);
        await Bind(t.Id, normalized, customerId);
        await customer.LinkAddress(normalized);
    }

    /// <summary>
    /// Binds an address to a customer, taking it from the customer it belonged to: that customer releases it first
    /// (durably), then the identity grain moves the binding only if it still names that customer; if another link moved
    /// it meanwhile, the round repeats with the new owner. So whenever the identity grain names a customer, no other
    /// customer still accepts the address's cached turns. A crash between the release and the bind leaves the address
    /// with its old customer, reached through the identity grain only, until the link is retried. During a key rotation
    /// the address's binding under an older key is first moved to the active key (so its owner is the one released), and
    /// any older-key binding left is removed at the end (it would come back once the active one is removed).
    /// Outside a rotation the first round guesses the address is unbound (a call's Call-ID, a new web visitor: the common
    /// case) and asks <see cref="IIdentityGrain.BindIf"/> straight away: it binds a free address, and otherwise answers
    /// with the owner, which the next round releases. So a new address costs one identity call (one activation of that
    /// grain, which deactivates after each call) instead of a read and then a bind.
    /// </summary>
    private async Task Bind(string tenant, ChannelAddress normalized, string customerId)
    {
        var identityKey = pseudonyms.IdentityKey(tenant, normalized);
        var identity = GrainFactory.GetGrain<IIdentityGrain>(identityKey);
        // The guess (null: unbound) is not a read, so it gets a round of its own before the attempts count.
        var guess = !pseudonyms.Rotating;
        var current = guess ? null : await pseudonyms.FindAsync(GrainFactory, tenant, normalized);
        for (var attempt = guess ? 0 : 1; current != customerId; attempt++)
        {
            if (attempt > LinkAttempts) throw new InvalidOperationException("The address's binding kept changing while it was being linked; try again.");
            if (current is not null) await Customer(tenant, current).ReleaseAddress(normalized);
            current = await identity.BindIf(current, customerId);
        }
        if (pseudonyms.Rotating) await pseudonyms.UnbindOlderAsync(GrainFactory, tenant, normalized);
        bindings.Forget(identityKey);
    }

    private ICustomerGrain Customer(string tenant, string customerId) => GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant, customerId));

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

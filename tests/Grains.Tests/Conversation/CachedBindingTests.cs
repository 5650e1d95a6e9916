using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Conversation;

/// <summary>
/// The ingress worker sends a known sender's turn straight to its customer from the silo's binding cache, skipping the
/// identity grain. The cache is only a hint: a link to another customer, an erasure, or a change made through another
/// silo must still send the next turn to the customer the identity grain names, and a redelivery must still count once.
/// Two silos on a real redis-server (the embedded journal is one log per silo; two silos share a store through Redis).
/// </summary>
public sealed class CachedBindingTests : IAsyncLifetime
{
    private readonly IdentityCallCounter _identityCalls = new();
    private RedisServer _redis = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _cluster = await SwitchboardCluster.StartAsync(silos: 2, redis: _redis.ConnectionString,
            services: s => s.AddSingleton<IIncomingGrainCallFilter>(_identityCalls));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }

    /// <summary>Calls made from inside one silo: the stateless ingress worker runs there, with that silo's cache.</summary>
    private IGrainFactory Through(int silo) => _cluster.Silos[silo].ServiceProvider.GetRequiredService<IGrainFactory>();

    private IdentityBindingCache CacheOf(int silo) => _cluster.Silos[silo].ServiceProvider.GetRequiredService<IdentityBindingCache>();

    /// <summary>A WhatsApp id as the ingress normalises it (and as a customer grain is called with it).</summary>
    private static ChannelAddress Normalized(string waId) => new(AddressKind.Phone, "+" + waId);

    private static InboundTurn Direct(string waId, string text) => WhatsApp(waId, text) with { From = Normalized(waId) };

    private string IdentityKeyOf(string waId) =>
        _cluster.Silos[0].ServiceProvider.GetRequiredService<AddressPseudonyms>().IdentityKey(Tenant, Normalized(waId));

    [Fact]
    public async Task A_known_senders_next_turns_skip_the_identity_grain_and_reach_the_same_customer()
    {
        const string wa = "919811100001";
        var first = await Through(0).Ingress().Receive(WhatsApp(wa, "hello"));
        Assert.True(first.AddressBound);
        Assert.Equal(first.CustomerId, CacheOf(0).CustomerOf(IdentityKeyOf(wa)));

        var before = _identityCalls.Count;
        for (var i = 0; i < 3; i++)
            Assert.Equal(first.CustomerId, (await Through(0).Ingress().Receive(WhatsApp(wa, $"message {i}"))).CustomerId);
        Assert.Equal(before, _identityCalls.Count);
        Assert.Equal(8, (await Through(0).Customer(first.CustomerId).GetTranscript()).Turns.Count);
    }

    [Fact]
    public async Task A_redelivered_message_through_the_cache_has_its_effect_once()
    {
        const string wa = "919811100002";
        var id = (await Through(0).Ingress().Receive(WhatsApp(wa, "hello"))).CustomerId;
        var turn = WhatsApp(wa, "I missed my connection", "wamid.redelivered-1");
        var once = await Through(0).Ingress().Receive(turn);
        var again = await Through(0).Ingress().Receive(turn);

        Assert.False(once.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(once.Reply.Text, again.Reply.Text);
        Assert.Equal(id, again.CustomerId);
        Assert.Single((await Through(0).Customer(id).GetTranscript()).Turns, t => t.MessageId == "wamid.redelivered-1");
    }

    [Fact]
    public async Task After_the_address_is_linked_to_another_customer_on_another_silo_a_cached_route_reaches_the_new_one()
    {
        const string wa = "919811100003";
        var old = (await Through(0).Ingress().Receive(WhatsApp(wa, "hello"))).CustomerId;
        Assert.NotNull(CacheOf(0).CustomerOf(IdentityKeyOf(wa)));
        var other = (await Through(1).Ingress().Receive(Web("visitor-merge-0003", "hi from the web"))).CustomerId;

        // An agent merges the WhatsApp number into the web customer, through the other silo.
        await Through(1).Ingress().LinkAddress(Tenant, other, new ChannelAddress(AddressKind.WhatsApp, wa));
        Assert.Equal(old, CacheOf(0).CustomerOf(IdentityKeyOf(wa)));

        var next = await Through(0).Ingress().Receive(WhatsApp(wa, "it is me again"));
        Assert.Equal(other, next.CustomerId);
        Assert.Equal(other, CacheOf(0).CustomerOf(IdentityKeyOf(wa)));
        Assert.DoesNotContain((await Through(0).Customer(old).GetTranscript()).Turns, t => t.Text == "it is me again");
        Assert.Contains((await Through(0).Customer(other).GetTranscript()).Turns, t => t.Text == "it is me again");

        // And back: linking the number to the first customer again makes its turns land there, through either silo.
        await Through(0).Ingress().LinkAddress(Tenant, old, new ChannelAddress(AddressKind.WhatsApp, wa));
        Assert.Equal(old, (await Through(1).Ingress().Receive(WhatsApp(wa, "back to the first"))).CustomerId);
        Assert.Equal(old, (await Through(0).Ingress().Receive(WhatsApp(wa, "still the first"))).CustomerId);
    }

    [Fact]
    public async Task Linking_a_new_address_takes_one_identity_call_and_moving_a_bound_one_takes_two()
    {
        const string wa = "919811100008";
        var id = (await Through(0).Ingress().Receive(WhatsApp(wa, "hello"))).CustomerId;
        var callId = new ChannelAddress(AddressKind.SipCallId, "link-count-0008@pbx.example");

        var before = _identityCalls.Count;
        await Through(0).Ingress().LinkAddress(Tenant, id, callId);
        Assert.Equal(before + 1, _identityCalls.Count);
        Assert.Equal(id, await Through(1).Ingress().Resolve(Tenant, callId));

        // Linking it again to the same customer changes nothing and is still one call.
        before = _identityCalls.Count;
        await Through(1).Ingress().LinkAddress(Tenant, id, callId);
        Assert.Equal(before + 1, _identityCalls.Count);

        // Moving it to another customer: the guess is answered with the owner, who releases it before the bind.
        // The owner's release is what stops it from accepting the address's cached turns (the tests above).
        var other = (await Through(1).Ingress().Receive(Web("visitor-count-0008", "hi"))).CustomerId;
        before = _identityCalls.Count;
        await Through(1).Ingress().LinkAddress(Tenant, other, callId);
        Assert.Equal(before + 2, _identityCalls.Count);
        Assert.Equal(other, await Through(0).Ingress().Resolve(Tenant, callId));
        Assert.Contains(callId, (await Through(0).Customer(other).GetView()).Addresses);
    }

    [Fact]
    public async Task After_a_session_token_join_moves_an_address_a_cached_route_follows_it()
    {
        const string visitor = "visitor-join-00004";
        var anonymous = (await Through(0).Ingress().Receive(Web(visitor, "hello"))).CustomerId;
        var known = (await Through(1).Ingress().Receive(WhatsApp("919811100004", "hello"))).CustomerId;
        var token = await Through(1).Customer(known).IssueSessionToken("continue-on-web", TimeSpan.FromMinutes(5));

        Assert.Equal(known, await Through(1).Ingress().JoinWithSessionToken(Tenant, token, new ChannelAddress(AddressKind.WebVisitor, visitor)));
        Assert.Equal(known, (await Through(0).Ingress().Receive(Web(visitor, "on the web now"))).CustomerId);
    }

    [Fact]
    public async Task After_erasure_the_same_number_on_another_silo_cached_starts_a_new_customer()
    {
        const string wa = "919811100005";
        var erased = (await Through(0).Ingress().Receive(WhatsApp(wa, "hello"))).CustomerId;
        await Through(0).Ingress().Receive(WhatsApp(wa, "second"));
        Assert.NotNull(CacheOf(0).CustomerOf(IdentityKeyOf(wa)));

        await Through(1).Customer(erased).Erase();
        var next = await Through(0).Ingress().Receive(WhatsApp(wa, "hello again"));

        Assert.NotEqual(erased, next.CustomerId);
        Assert.False(await Through(0).Customer(erased).Exists());
        Assert.Equal(next.CustomerId, await Through(1).Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.WhatsApp, wa)));
        Assert.Single((await Through(0).Customer(next.CustomerId).GetTranscript()).Turns, t => t.Direction == Direction.Inbound);
    }

    [Fact]
    public async Task A_released_address_is_refused_on_the_cached_route_and_not_taken_back_by_a_late_turn()
    {
        const string wa = "919811100006";
        var id = (await Through(0).Ingress().Receive(WhatsApp(wa, "hello"))).CustomerId;
        var customer = Through(0).Customer(id);
        await customer.ReleaseAddress(Normalized(wa));
        Assert.Null(await customer.HandleTurnFrom(Direct(wa, "cached route"), cached: true));
        // A turn from an identity lookup made before the release is still answered, but does not make the address its own.
        var late = await customer.HandleTurnFrom(Direct(wa, "late turn"), cached: false);
        Assert.NotNull(late);
        Assert.False(late.AddressBound);
        Assert.Null(await customer.HandleTurnFrom(Direct(wa, "cached route again"), cached: true));
        Assert.DoesNotContain((await customer.GetTranscript()).Turns, t => t.Text.StartsWith("cached route", StringComparison.Ordinal));

        // The release is in the journal: a fresh activation still refuses the cached route.
        await _cluster.DeactivateAsync(customer);
        Assert.Null(await customer.HandleTurnFrom(Direct(wa, "cached route after reload"), cached: true));

        // Linking the address again takes it back.
        await Through(0).Ingress().LinkAddress(Tenant, id, new ChannelAddress(AddressKind.WhatsApp, wa));
        Assert.NotNull(await customer.HandleTurnFrom(Direct(wa, "mine again"), cached: true));
    }

    [Fact]
    public async Task A_release_reaching_a_customer_before_its_first_turn_is_kept()
    {
        const string wa = "919811100007";
        var customer = Through(0).Customer("c-not-yet-created-0007");
        await customer.ReleaseAddress(Normalized(wa));
        await _cluster.DeactivateAsync(customer);

        Assert.False(await customer.Exists());
        var first = await customer.HandleTurnFrom(Direct(wa, "first turn, late"), cached: false);
        Assert.NotNull(first);
        Assert.False(first.AddressBound);
        Assert.Null(await customer.HandleTurnFrom(Direct(wa, "cached"), cached: true));
    }

    /// <summary>Counts calls that reach identity grains, on every silo.</summary>
    private sealed class IdentityCallCounter : IIncomingGrainCallFilter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IIdentityGrain)) Interlocked.Increment(ref _count);
            return context.Invoke();
        }
    }
}

using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Conversation;

/// <summary>The ingress key a channel picks for a sender: stable, bounded, spread, and any key reaches the same customer.</summary>
public sealed class ConversationIngressTests : IAsyncLifetime
{
    private readonly TempDirectory _store = new();
    private readonly CapturedLogs _logs = new();
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await SwitchboardCluster.StartAsync(storePath: _store.Path, logs: _logs);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public void A_senders_key_is_one_of_64_the_same_every_time_and_senders_spread_over_nearly_all_of_them()
    {
        var senders = Enumerable.Range(0, 2_000).Select(i => $"9198{i:D8}").ToList();
        var keys = senders.Select(ConversationIngress.KeyFor).ToList();
        Assert.All(keys, k => Assert.InRange(k, 0, ConversationIngress.Keys - 1));
        Assert.Equal(keys, senders.Select(ConversationIngress.KeyFor));
        // 2,000 senders over 64 keys: about 31 each; a hash that clumps leaves keys empty or one key crowded.
        var perKey = keys.GroupBy(k => k).Select(g => g.Count()).ToList();
        Assert.Equal(ConversationIngress.Keys, perKey.Count);
        Assert.True(perKey.Max() < 80, $"the most crowded key has {perKey.Max()} of 2,000 senders");
        Assert.Equal(0, ConversationIngress.KeyFor(null));
        Assert.Equal(ConversationIngress.KeyFor("919800000001"), ConversationIngress.For(_cluster.Client, "919800000001").GetPrimaryKeyLong());
    }

    [Fact]
    public async Task A_customer_created_through_a_senders_key_is_found_through_any_other_key()
    {
        const string waId = "919800000777";
        var spread = ConversationIngress.For(_cluster.Client, waId);
        var result = await spread.Receive(WhatsApp(waId, "hello"));

        foreach (var key in new long[] { 0, 1, ConversationIngress.Keys - 1 })
            Assert.Equal(result.CustomerId, await _cluster.Client.GetGrain<IConversationIngressGrain>(key).Resolve(Tenant, new ChannelAddress(AddressKind.WhatsApp, waId)));
    }
}

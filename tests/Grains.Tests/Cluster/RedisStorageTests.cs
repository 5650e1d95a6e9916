using System.Text;
using Orleans.Runtime;
using Orleans.TestingHost;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Cluster;

/// <summary>The production storage: a real redis-server started for this class, the host's own Redis wiring.</summary>
public sealed class RedisStorageTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task State_survives_a_restart_with_redis_storage()
    {
        string id;
        await using (var cluster = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString))
            id = (await cluster.Client.Ingress().Receive(WhatsApp("919811111101", "before the restart"))).CustomerId;

        await using var restarted = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString);
        Assert.Equal(id, await restarted.Client.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.Phone, "sip:+919811111101@sbc")));
        Assert.Equal("before the restart", (await restarted.Client.Customer(id).GetTranscript()).Turns[0].Text);
    }

    [Fact]
    public async Task A_restart_on_redis_replays_the_journal_into_exactly_the_state_the_turns_built()
    {
        string id, token, before;
        Canary canary;
        await using (var cluster = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString))
        {
            (id, token, canary) = await EveryKindOfChange(cluster.Client, "919811111116");
            before = await Snapshot(cluster.Client.Customer(id));
        }

        await using var restarted = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString);
        Assert.Equal(before, await Snapshot(restarted.Client.Customer(id)));
        Assert.Equal(canary.Card, await restarted.Client.Customer(id).ResolvePii(token, "refund", "agent-7"));
    }

    [Fact]
    public async Task Killing_the_silo_that_hosts_a_customer_loses_no_acknowledged_turn()
    {
        await using var cluster = await SwitchboardCluster.StartAsync(silos: 2, redis: _redis.ConnectionString);
        var management = cluster.Client.GetGrain<IManagementGrain>(0);

        // The silo to kill is the one the customer was placed on, whichever it is (placement prefers the silo the
        // client's call arrived at, so hunting for a customer on a chosen silo depends on the client's gateway choice).
        var victim = (await cluster.Client.Ingress().Receive(WhatsApp("919822222200", "hello"))).CustomerId;
        InProcessSiloHandle? host = null;
        foreach (var silo in cluster.Silos)
        {
            var stats = await management.GetDetailedGrainStatistics(hostsIds: [silo.SiloAddress]);
            if (stats.Any(s => s.GrainId.ToString().Contains(victim, StringComparison.Ordinal))) host = silo;
        }
        Assert.NotNull(host);

        var view = await cluster.Client.Customer(victim).GetView();
        var address = view.Addresses.Single();
        var acknowledged = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var text = $"acknowledged turn {i}";
            await cluster.Client.Ingress().Receive(new InboundTurn(Tenant, Channel.WhatsApp, address, $"wamid.k{i}", text, null, DateTimeOffset.UtcNow));
            acknowledged.Add(text);
        }

        await cluster.KillSiloAsync(host);

        var transcript = await cluster.Client.Customer(victim).GetTranscript();
        var inbound = transcript.Turns.Where(t => t.Direction == Direction.Inbound).Select(t => t.Text).ToList();
        Assert.All(acknowledged, a => Assert.Contains(a, inbound));
        var after = await cluster.Client.Ingress().Receive(new InboundTurn(Tenant, Channel.WhatsApp, address, "wamid.after", "after the crash", null, DateTimeOffset.UtcNow));
        Assert.Equal(victim, after.CustomerId);
        var redelivered = await cluster.Client.Ingress().Receive(new InboundTurn(Tenant, Channel.WhatsApp, address, "wamid.k9", "acknowledged turn 9", null, DateTimeOffset.UtcNow));
        Assert.True(redelivered.Duplicate);
    }

    [Fact]
    public async Task Erasure_leaves_nothing_in_redis_for_that_customer()
    {
        await using var cluster = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString);
        var keep = (await cluster.Client.Ingress().Receive(WhatsApp("919833333301", "I stay"))).CustomerId;
        var gone = (await cluster.Client.Ingress().Receive(WhatsApp("919833333302", "forget me"))).CustomerId;
        await cluster.Client.Ingress().Receive(Voice("sip:+919833333302@sbc", "really"));
        await cluster.Client.Customer(gone).IssueSessionToken("web", TimeSpan.FromMinutes(5));
        Assert.Contains(await _redis.DumpAsync(), e => Mentions(e, gone));

        await cluster.Client.Customer(gone).Erase();

        var dump = await _redis.DumpAsync();
        Assert.DoesNotContain(dump, e => Mentions(e, gone));
        Assert.DoesNotContain(dump, e => Mentions(e, "forget me"));
        Assert.Contains(dump, e => Mentions(e, keep));
        Assert.Null(await cluster.Client.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.Phone, "+919833333302")));
    }

    [Fact]
    public async Task Canary_pii_sent_in_turns_appears_nowhere_in_redis_or_the_logs()
    {
        var canary = new Canary();
        var logs = new CapturedLogs();
        await using var cluster = await SwitchboardCluster.StartAsync(redis: _redis.ConnectionString, logs: logs);
        var id = (await cluster.Client.Ingress().Receive(WhatsApp("919844444401", $"my card is {canary.CardSpaced}"))).CustomerId;
        await cluster.Client.Ingress().Receive(Voice("sip:+919844444401@sbc", $"aadhaar {canary.AadhaarSpaced} and mail {canary.Email}"));
        await cluster.Client.Customer(id).SetCrmField("email", canary.Email);
        await cluster.Client.Customer(id).RecordOutbound(Channel.WhatsApp, $"We emailed {canary.Email}", "wamid.out");

        var dump = await _redis.DumpAsync();
        Assert.NotEmpty(dump);
        foreach (var (key, value) in dump)
        {
            Assert.Null(canary.FoundIn(key));
            Assert.Null(canary.FoundIn(value));
        }
        Assert.DoesNotContain(dump, e => e.Key.Contains("919844444401", StringComparison.Ordinal));
        Assert.NotEmpty(logs.Lines);
        Assert.Null(canary.FoundIn(logs.All));
        // The vault still holds them, sealed: the customer can be served.
        Assert.Equal(3, (await cluster.Client.Customer(id).GetView()).PiiTokens.Count);
    }

    private static bool Mentions((string Key, byte[] Value) entry, string text) =>
        entry.Key.Contains(text, StringComparison.Ordinal) || Encoding.UTF8.GetString(entry.Value).Contains(text, StringComparison.Ordinal);
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>
/// A customer's addresses at rest: sealed under its vault key with their pseudonym; a journal an older engine wrote
/// with addresses in clear still loads and is superseded by a reseal; erasure crypto-shreds them; Call-IDs pushed out of
/// the last five are unbound, so no binding is left that neither the rewrap pass nor erasure can reach.
/// </summary>
public sealed class AddressSealingTests
{
    private static readonly byte[] Master = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);

    private static PiiVault VaultOf(CustomerKeys keys) => keys.Vault("airline", "c-1", Salt);

    [Fact]
    public void A_sealed_address_holds_no_clear_value_and_opens_only_under_its_own_pseudonym()
    {
        var canary = new Canary();
        var vault = VaultOf(new CustomerKeys(Master));
        var address = new ChannelAddress(AddressKind.Phone, canary.Phone);
        var sealedAddress = SealedAddress.Seal(vault, "airline/phone/0123abcd", address);

        Assert.Null(canary.FoundIn(sealedAddress.Ciphertext));
        Assert.Equal(address, sealedAddress.Open(vault));
        Assert.ThrowsAny<CryptographicException>(() => (sealedAddress with { Pseudonym = "airline/phone/ffff0000" }).Open(vault));
        Assert.ThrowsAny<CryptographicException>(() => sealedAddress.Open(new CustomerKeys(Master).Vault("airline", "c-2", Salt)));
        Assert.True(sealedAddress.IsCurrent(vault, "airline/phone/0123abcd"));
        Assert.False(sealedAddress.IsCurrent(vault, "airline/phone/ffff0000"));

        // After a rotation it still opens, and is no longer current (the rewrap pass reseals it).
        var rotated = VaultOf(new CustomerKeys(Master, new Dictionary<string, byte[]> { ["k2"] = RandomNumberGenerator.GetBytes(32) }, "k2", legacyRetired: false));
        Assert.Equal(address, sealedAddress.Open(rotated));
        Assert.False(sealedAddress.IsCurrent(rotated, "airline/phone/0123abcd"));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task A_journal_with_addresses_in_clear_still_loads_and_one_reseal_supersedes_it(string storeKind)
    {
        using var store = new TempDirectory();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        var canary = new Canary();
        var phone = new ChannelAddress(AddressKind.Phone, canary.Phone);
        var callId = new ChannelAddress(AddressKind.SipCallId, canary.SipCallId);
        var customerId = "c-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var stream = CustomerGrain.StreamOf(Tenant, customerId);

        await using (var cluster = await SwitchboardCluster.StartAsync(redis: redis?.ConnectionString, storePath: store.Path))
        {
            var services = cluster.Silos[0].ServiceProvider;
            var journal = services.GetRequiredService<IJournalStore>();
            var serializer = services.GetRequiredService<Serializer>();
            // As an engine from before sealing wrote them: a snapshot listing the phone, then a record adding the Call-ID.
            await journal.AppendAsync(CustomerGrain.KeyStreamOf(Tenant, customerId), 0, JournalRecordKind.Snapshot,
                serializer.SerializeToArray(new CustomerKeyState { Salt = RandomNumberGenerator.GetBytes(32) }));
            await journal.AppendAsync(stream, 0, JournalRecordKind.Snapshot, serializer.SerializeToArray(new CustomerState { Created = true, LegacyAddresses = [phone] }));
            await journal.AppendAsync(stream, 1, JournalRecordKind.Event, serializer.SerializeToArray(new CustomerChange { Addresses = [callId] }));
            Assert.NotNull(canary.FoundIn(Live(await journal.ReadAsync(stream)))); // the fixture really is in clear

            var customer = cluster.Client.Customer(customerId);
            Assert.Equal([phone, callId], (await customer.GetView()).Addresses);
            Assert.Equal(2, await customer.ResealAddresses());
            Assert.Equal(0, await customer.ResealAddresses());

            var contents = await journal.ReadAsync(stream);
            Assert.NotNull(contents.Snapshot);
            Assert.Empty(contents.Events);
            Assert.Null(canary.FoundIn(Live(contents)));
            if (redis is not null)
                foreach (var (key, value) in await redis.DumpAsync())
                    Assert.Null(canary.FoundIn(key) ?? canary.FoundIn(value));
        }

        await using (var restarted = await SwitchboardCluster.StartAsync(redis: redis?.ConnectionString, storePath: store.Path))
        {
            var customer = restarted.Client.Customer(customerId);
            Assert.Equal([phone, callId], (await customer.GetView()).Addresses);
            Assert.Equal(0, await customer.ResealAddresses());

            // Erasure: the salt goes, and with it the only key that opens the sealed addresses.
            var journal = restarted.Silos[0].ServiceProvider.GetRequiredService<IJournalStore>();
            await customer.Erase();
            Assert.Null((await journal.ReadAsync(CustomerGrain.KeyStreamOf(Tenant, customerId))).Snapshot);
            Assert.Null((await journal.ReadAsync(stream)).Snapshot);
            Assert.False(await customer.Exists());
        }
    }

    [Fact]
    public async Task New_addresses_reach_the_journal_sealed_and_open_again_after_a_restart()
    {
        using var store = new TempDirectory();
        var canary = new Canary();
        var callId = new ChannelAddress(AddressKind.SipCallId, canary.SipCallId);
        string id;
        await using (var cluster = await SwitchboardCluster.StartAsync(storePath: store.Path))
        {
            id = (await cluster.Client.Ingress().Receive(WhatsApp(canary.WhatsAppId, $"mail {canary.Email}"))).CustomerId;
            await cluster.Client.Ingress().LinkAddress(Tenant, id, callId);
            await cluster.Client.Ingress().Receive(new(Tenant, Channel.Sms, new ChannelAddress(AddressKind.Phone, canary.Phone), "sms-1", "hi", null, DateTimeOffset.UtcNow));
            var journal = cluster.Silos[0].ServiceProvider.GetRequiredService<IJournalStore>();
            Assert.Null(canary.FoundIn(Live(await journal.ReadAsync(CustomerGrain.StreamOf(Tenant, id)))));
        }
        foreach (var file in Directory.EnumerateFiles(store.Path, "*", SearchOption.AllDirectories))
            Assert.Null(canary.FoundIn(await File.ReadAllBytesAsync(file)));

        await using var restarted = await SwitchboardCluster.StartAsync(storePath: store.Path);
        var view = await restarted.Client.Customer(id).GetView();
        Assert.Equal([new ChannelAddress(AddressKind.Phone, "+" + canary.WhatsAppId), callId], view.Addresses);
        Assert.Equal(id, await restarted.Client.Ingress().Resolve(Tenant, callId));
    }

    [Fact]
    public async Task Call_ids_pushed_out_of_the_last_five_are_unbound_under_every_key()
    {
        using var store = new TempDirectory();
        var rotated = new Dictionary<string, string?>
        {
            ["Pii:MasterKeys:k2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Pii:ActiveMasterKey"] = "k2",
        };
        var callIds = Enumerable.Range(0, CustomerState.CallIdsKept + 2)
            .Select(i => new ChannelAddress(AddressKind.SipCallId, $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}-{i}@sbc")).ToArray();
        string id;
        // The first two calls are bound under the key active then (the legacy one).
        await using (var before = await SwitchboardCluster.StartAsync(storePath: store.Path))
        {
            id = (await before.Client.Ingress().Receive(WhatsApp("919800000031", "hello"))).CustomerId;
            foreach (var callId in callIds[..2]) await before.Client.Ingress().LinkAddress(Tenant, id, callId);
        }

        await using var cluster = await SwitchboardCluster.StartAsync(storePath: store.Path, settings: rotated);
        foreach (var callId in callIds[2..]) await cluster.Client.Ingress().LinkAddress(Tenant, id, callId);

        Assert.Equal(callIds[2..], (await cluster.Client.Customer(id).GetView()).Addresses.Where(a => a.Kind == AddressKind.SipCallId));
        var journal = cluster.Silos[0].ServiceProvider.GetRequiredService<IJournalStore>();
        var pseudonyms = cluster.Silos[0].ServiceProvider.GetRequiredService<AddressPseudonyms>();
        foreach (var gone in callIds[..2])
        {
            Assert.Null(await cluster.Client.Ingress().Resolve(Tenant, gone));
            // Under the old key too: nothing is left for a retired key to orphan.
            foreach (var key in pseudonyms.IdentityKeys(Tenant, gone))
                Assert.Null((await journal.ReadAsync("identity/" + key)).Snapshot);
        }
        foreach (var kept in callIds[2..]) Assert.Equal(id, await cluster.Client.Ingress().Resolve(Tenant, kept));
    }

    /// <summary>The live records of a stream (its snapshot and the records after it), as one byte array.</summary>
    private static byte[] Live(JournalContents contents) =>
        [.. (contents.Snapshot?.ToArray() ?? []), .. contents.Events.SelectMany(e => e.ToArray())];
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Customers;

/// <summary>
/// The customer state keeps its inbound channels as bits and its owned identity keys as an array in memory, and writes
/// them as the sets it always wrote (mem11): what older engines stored must read the same, the stored bytes must not
/// change, and the compact form must survive a round trip, a copy and an idle customer's release and reload.
/// </summary>
public sealed class CompactCustomerStateTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private static readonly Serializer Serializer = Services.GetRequiredService<Serializer>();
    private static readonly DeepCopier Copier = Services.GetRequiredService<DeepCopier>();

    private const string Phone = "airline/phone/0123456789abcdef0123456789abcdef";
    private const string Email = "airline/email/fedcba9876543210fedcba9876543210";
    private const string WhatsAppKey = "airline/whatsapp/00112233445566778899aabbccddeeff";
    private static readonly DateTimeOffset At = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A state as main stored it before mem11 (`0ea0581`, where both were <c>HashSet</c> properties), serialized by that
    /// build: created at <see cref="At"/>, wrote on WhatsApp then SMS, owns <see cref="Phone"/> and
    /// <see cref="WhatsAppKey"/>, released <see cref="Email"/> (owned first).
    /// </summary>
    private const string StoredBeforeMem11 =
        "IAADIcABwQHBAcEBwQHBASHgAQHBAcEBwQHgISDgwQEh4AEBAQHgIcABwQHBASGAAIDwCj5P3wiBAAAAAAAAAADg4CHgIQABIYAAgPAKPk/fCIEAAAAA" +
        "AAAAAODBAcEB4MEBwQHBAcEBIeAhAQUBAQAJ4MEBwQHBASEBBUFdYWlybGluZS9waG9uZS8wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZkBj" +
        "YWlybGluZS93aGF0c2FwcC8wMDExMjIzMzQ0NTU2Njc3ODg5OWFhYmJjY2RkZWVmZuAhAQNBXWFpcmxpbmUvZW1haWwvZmVkY2JhOTg3NjU0MzIxMGZl" +
        "ZGNiYTk4NzY1NDMyMTDgIeDg";

    /// <summary>The same steps as the state above was made with, on this build.</summary>
    private static CustomerState SameAsStored()
    {
        var state = new CustomerState();
        state.Create(At);
        state.AddInboundChannel(Channel.WhatsApp);
        state.AddInboundChannel(Channel.Sms);
        state.OwnIdentity(Phone);
        state.OwnIdentity(Email);
        state.ReleaseIdentity(Email);
        state.OwnIdentity(WhatsAppKey);
        return state;
    }

    private static void AssertAsStored(CustomerState read)
    {
        Assert.True(read.Created);
        Assert.Equal(At, read.System.CreatedAt);
        Assert.True(read.WroteOn(Channel.WhatsApp));
        Assert.True(read.WroteOn(Channel.Sms));
        Assert.False(read.WroteOn(Channel.Voice));
        Assert.False(read.WroteOn(Channel.WebChat));
        Assert.Equal([Channel.WhatsApp, Channel.Sms], read.InboundChannels.Order());
        Assert.True(read.Owns(Phone));
        Assert.True(read.Owns(WhatsAppKey));
        Assert.False(read.Owns(Email));
        Assert.True(read.HasReleased(Email));
        Assert.Equal([Phone, WhatsAppKey], read.OwnedIdentities.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_state_stored_before_the_compact_form_reads_the_same()
    {
        var read = Serializer.Deserialize<CustomerState>(Convert.FromBase64String(StoredBeforeMem11))!;
        AssertAsStored(read);
    }

    [Fact]
    public void The_compact_form_is_stored_byte_for_byte_as_before_with_the_journeys_flag_appended()
    {
        // The one field added since (Id 18, JourneysWaiting: false) is written after the others, before the end tag.
        var before = Convert.FromBase64String(StoredBeforeMem11);
        var now = Serializer.SerializeToArray(SameAsStored());
        Assert.Equal(before[..^1], now[..(before.Length - 1)]);
        Assert.Equal(before[^1], now[^1]);
        Assert.InRange(now.Length - before.Length, 1, 3);
    }

    [Fact]
    public void The_compact_form_survives_a_round_trip_and_a_copy()
    {
        var state = SameAsStored();
        AssertAsStored(state);
        foreach (var read in new[] { Serializer.Deserialize<CustomerState>(Serializer.SerializeToArray(state))!, Copier.Copy(state)! })
        {
            AssertAsStored(read);
            // The read state is a state of its own: changing it leaves the original as it was.
            read.AddInboundChannel(Channel.Voice);
            read.ReleaseIdentity(Phone);
            Assert.False(state.WroteOn(Channel.Voice));
            Assert.True(state.Owns(Phone));
        }
    }

    [Fact]
    public void A_customer_with_no_channel_and_no_identity_reads_back_empty()
    {
        var read = Serializer.Deserialize<CustomerState>(Serializer.SerializeToArray(new CustomerState()))!;
        Assert.Empty(read.InboundChannels);
        Assert.Empty(read.OwnedIdentities);
        Assert.False(read.Owns(Phone));
        Assert.False(read.HasReleased(Phone));
        foreach (var channel in Enum.GetValues<Channel>()) Assert.False(read.WroteOn(channel));
    }

    [Fact]
    public void Owning_releasing_and_owning_again_keep_one_entry_each()
    {
        var state = new CustomerState();
        Assert.True(state.OwnIdentity(Phone));
        Assert.False(state.OwnIdentity(Phone));
        Assert.True(state.OwnIdentity(Email));
        Assert.True(state.ReleaseIdentity(Phone));
        Assert.Equal([Email], state.OwnedIdentities);
        Assert.True(state.HasReleased(Phone));
        Assert.True(state.OwnIdentity(Phone));
        Assert.False(state.HasReleased(Phone));
        Assert.Equal([Email, Phone], state.OwnedIdentities);
        Assert.True(state.Owns(new string(Phone.AsSpan())));
        Assert.False(state.Owns(WhatsAppKey));
        Assert.True(state.AddInboundChannel(Channel.Voice));
        Assert.False(state.AddInboundChannel(Channel.Voice));
    }

    [Fact]
    public void Identity_keys_of_any_spelling_are_kept_exactly()
    {
        // Split into a shared prefix and the pseudonym only when spelled as GrainKeys.Identity spells them.
        string[] keys =
        [
            Phone,
            "other-tenant/phone/0123456789abcdef0123456789abcdef",
            "airline/phone/0123456789ABCDEF0123456789ABCDEF",
            "airline/phone/0123456789abcdef0123456789abcde",
            "airline/phone-0123456789abcdef0123456789abcdef",
            "/0123456789abcdef0123456789abcdef",
            "k1",
            "",
        ];
        var state = new CustomerState();
        foreach (var key in keys) Assert.True(state.OwnIdentity(key));
        foreach (var read in new[] { state, Serializer.Deserialize<CustomerState>(Serializer.SerializeToArray(state))! })
        {
            Assert.Equal(keys.Order(StringComparer.Ordinal), read.OwnedIdentities.Order(StringComparer.Ordinal));
            foreach (var key in keys) Assert.True(read.Owns(new string(key.AsSpan())), key);
            Assert.False(read.Owns("airline/phone/0123456789abcdef0123456789abcdee"));
            Assert.False(read.Owns("airline/email/0123456789abcdef0123456789abcdef"));
            Assert.False(read.Owns("airline/phone/0123456789Abcdef0123456789abcdef"));
            Assert.False(read.Owns("k2"));
        }
    }

    [Fact]
    public void A_channel_beyond_the_bits_is_kept_and_stored_too()
    {
        // No channel has such a value today; one added later must not be lost.
        var future = (Channel)70;
        var state = new CustomerState();
        Assert.True(state.AddInboundChannel(future));
        Assert.True(state.AddInboundChannel(Channel.WhatsApp));
        Assert.False(state.AddInboundChannel(future));
        var read = Serializer.Deserialize<CustomerState>(Serializer.SerializeToArray(state))!;
        Assert.True(read.WroteOn(future));
        Assert.True(read.WroteOn(Channel.WhatsApp));
        Assert.False(read.WroteOn((Channel)6));
        Assert.Equal(2, read.InboundChannels.Count);
    }

    /// <summary>
    /// An idle customer keeps its context layers and addresses packed in one array (mem12): the state reads the same,
    /// is stored byte for byte as when they are not packed, and a copy or a write of a packed state loses nothing.
    /// </summary>
    [Fact]
    public void Packed_layers_and_addresses_read_back_and_are_stored_as_unpacked()
    {
        static CustomerState Made()
        {
            var state = SameAsStored();
            state.Ephemeral.LastInputs.AddRange(["I missed my connection in Doha", "booking ABC123"]);
            state.Ephemeral.LastChannel = Channel.Sms;
            state.Ephemeral.UpdatedAt = At;
            state.Intent.TurnsByChannel[Channel.WhatsApp] = 2;
            state.Intent.History.Add(new IntentRecord("rebook", "completed", Channel.WhatsApp, At));
            state.System.Verification = new VerificationStatus { Verified = true, Method = "otp" };
            state.AddAddress(new ChannelAddress(AddressKind.Phone, "+919600000001"),
                new Switchboard.Grains.Pii.SealedAddress(AddressKind.Phone, Phone, [1, 2, 3, 4]));
            return state;
        }

        var unpacked = Serializer.SerializeToArray(Made());
        var state = Made();
        state.PackIdle(Serializer);
        Assert.True(state.Packed);
        // Stored while packed: the same bytes (a snapshot reads them back on the way).
        Assert.Equal(unpacked, Serializer.SerializeToArray(state));
        Assert.False(state.Packed);
        state.PackIdle(Serializer);
        var copy = Copier.Copy(state)!;
        foreach (var read in new[] { state, copy, Serializer.Deserialize<CustomerState>(unpacked)! })
        {
            AssertAsStored(read);
            Assert.Equal(["I missed my connection in Doha", "booking ABC123"], read.Ephemeral.LastInputs);
            Assert.Equal(Channel.Sms, read.Ephemeral.LastChannel);
            Assert.Equal(At, read.Ephemeral.UpdatedAt);
            Assert.Equal(2, read.Intent.TurnsByChannel[Channel.WhatsApp]);
            Assert.Equal("rebook", Assert.Single(read.Intent.History).Intent);
            Assert.True(read.System.Verification.Verified);
            Assert.Equal(At, read.System.CreatedAt);
            // The clear addresses are in memory only (opened from the sealed ones when the grain activates).
            if (ReferenceEquals(read, state)) Assert.Equal("+919600000001", Assert.Single(read.Addresses).Value);
            else Assert.Empty(read.Addresses);
            Assert.Equal([1, 2, 3, 4], Assert.Single(read.SealedAddresses).Ciphertext);
            Assert.False(read.Packed);
        }
        // A change after reading back is the state's: packing again keeps it.
        state.Ephemeral.LastInputs.Add("tomorrow at 4 pm");
        state.PackIdle(Serializer);
        Assert.Equal(3, state.Ephemeral.LastInputs.Count);
        // A state never created has nothing to pack.
        var fresh = new CustomerState();
        fresh.PackIdle(Serializer);
        Assert.False(fresh.Packed);
    }
}

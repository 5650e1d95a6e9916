using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Grains.Tests.Customers;

/// <summary>
/// The context layers keep collections a customer never used null (mem7): on the wire and after a copy they must read
/// as empty, a layer written with them empty (as snapshots before mem7 were) must read the same, and values must
/// survive a round trip.
/// </summary>
public sealed class ContextLayerSerializationTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private static readonly Serializer Serializer = Services.GetRequiredService<Serializer>();
    private static readonly DeepCopier Copier = Services.GetRequiredService<DeepCopier>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void Unused_system_metadata_is_written_without_empty_collections_and_reads_as_empty()
    {
        var fresh = new SystemMetadata { CreatedAt = DateTimeOffset.UnixEpoch };
        // What a snapshot from before mem7 held: the same fields, present and empty.
        var older = new SystemMetadata { CreatedAt = DateTimeOffset.UnixEpoch, CrmProfile = [], SessionTokens = [], Verification = new VerificationStatus() };

        Assert.True(Serializer.SerializeToArray(fresh).Length < Serializer.SerializeToArray(older).Length);
        foreach (var read in new[] { RoundTrip(fresh), RoundTrip(older), Copier.Copy(fresh) })
        {
            Assert.Empty(read.CrmProfile);
            Assert.Empty(read.SessionTokens);
            Assert.False(read.Verification.Verified);
            Assert.Null(read.Verification.Method);
            Assert.Equal(DateTimeOffset.UnixEpoch, read.CreatedAt);
        }
    }

    [Fact]
    public void System_metadata_values_survive_a_round_trip_and_a_copy()
    {
        var at = new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero);
        var metadata = new SystemMetadata
        {
            Verification = new VerificationStatus { Verified = true, Method = "booking-pin", Channel = Channel.WhatsApp, VerifiedAt = at, MfaPassed = true },
        };
        metadata.CrmProfile["tier"] = "gold";
        metadata.SessionTokens.Add(new SessionTokenRecord("t-1", at, at.AddHours(1), "self-service"));

        foreach (var read in new[] { RoundTrip(metadata), Copier.Copy(metadata) })
        {
            Assert.Equal("gold", read.CrmProfile["tier"]);
            Assert.Equal([new SessionTokenRecord("t-1", at, at.AddHours(1), "self-service")], read.SessionTokens);
            Assert.True(read.Verification.Verified);
            Assert.Equal("booking-pin", read.Verification.Method);
            Assert.Equal(Channel.WhatsApp, read.Verification.Channel);
            Assert.Equal(at, read.Verification.VerifiedAt);
            Assert.True(read.Verification.MfaPassed);
        }
    }

    [Fact]
    public void Collections_allocated_on_first_use_belong_to_one_customer()
    {
        var a = new SystemMetadata();
        var b = new SystemMetadata();
        a.CrmProfile["tier"] = "gold";
        a.SessionTokens.Add(new SessionTokenRecord("t-1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "p"));
        a.Verification = new VerificationStatus { Verified = true };
        var ea = new EphemeralContext();
        ea.Cart.Add(new CartItem("sku-1", "seat upgrade", 1, 49m));

        Assert.Empty(b.CrmProfile);
        Assert.Empty(b.SessionTokens);
        Assert.False(b.Verification.Verified);
        Assert.False(VerificationStatus.Unverified.Verified);
        Assert.Empty(new EphemeralContext().Cart);
        Assert.Single(ea.Cart);
    }

    [Fact]
    public void An_unused_cart_reads_as_empty_and_a_used_one_survives()
    {
        var fresh = new EphemeralContext { ActiveFlow = "rebook" };
        var older = new EphemeralContext { ActiveFlow = "rebook", Cart = [] };
        var used = new EphemeralContext { ActiveFlow = "rebook" };
        used.Cart.Add(new CartItem("sku-1", "seat upgrade", 2, 49.5m));

        Assert.Empty(RoundTrip(fresh).Cart);
        Assert.Empty(RoundTrip(older).Cart);
        Assert.Equal("rebook", RoundTrip(fresh).ActiveFlow);
        Assert.Equal([new CartItem("sku-1", "seat upgrade", 2, 49.5m)], RoundTrip(used).Cart);
        Assert.Equal([new CartItem("sku-1", "seat upgrade", 2, 49.5m)], Copier.Copy(used).Cart);
    }

    [Fact]
    public void A_transcript_summary_without_folds_reads_as_empty_and_one_with_folds_survives()
    {
        var fresh = new TranscriptSummary();
        var older = new TranscriptSummary { TurnsByChannel = [] };
        var folded = new TranscriptSummary { FoldedTurns = 3, FirstTurnAt = DateTimeOffset.UnixEpoch };
        folded.TurnsByChannel[Channel.Sms] = 3;

        Assert.Empty(RoundTrip(fresh).TurnsByChannel);
        Assert.Empty(RoundTrip(older).TurnsByChannel);
        var read = RoundTrip(folded);
        Assert.Equal(3, read.FoldedTurns);
        Assert.Equal(3, read.TurnsByChannel[Channel.Sms]);
        Assert.Equal(3, Copier.Copy(folded).TurnsByChannel[Channel.Sms]);
        Assert.Empty(new TranscriptSummary().TurnsByChannel);
    }
}

using System.Security.Cryptography;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>The recipient seal of outbound messages: what it stores, who opens it, across a rotation, and old clear recipients.</summary>
public sealed class RecipientSealTests
{
    private static readonly byte[] Legacy = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] K2 = RandomNumberGenerator.GetBytes(32);

    private static RecipientSeal Before() => new CustomerKeys(Legacy).Recipients();

    private static RecipientSeal After() =>
        new CustomerKeys(Legacy, new Dictionary<string, byte[]> { ["k2"] = K2 }, "k2", legacyRetired: true, legacyPseudonymsRetired: true).Recipients();

    [Fact]
    public void A_sealed_recipient_holds_no_form_of_the_number_and_opens_to_it()
    {
        var number = "+9198" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999);
        var seal = Before();
        var sealedForm = seal.Seal(number);
        Assert.True(RecipientSeal.IsSealed(sealedForm));
        Assert.DoesNotContain(number[1..], sealedForm);
        Assert.DoesNotContain(number[^6..], sealedForm);
        Assert.Equal(number, seal.Open(sealedForm));
        // One number, one form under one key (a shard's per-recipient order groups on it); another number, another form.
        Assert.Equal(sealedForm, seal.Seal(number));
        Assert.NotEqual(sealedForm, seal.Seal(number[..^1] + (number[^1] == '1' ? '2' : '1')));
        // Sealing twice is sealing once.
        Assert.Equal(sealedForm, seal.Seal(sealedForm));
    }

    [Fact]
    public void A_recipient_from_a_journal_written_before_sealing_passes_through()
    {
        Assert.False(RecipientSeal.IsSealed("919800000001"));
        Assert.Equal("919800000001", Before().Open("919800000001"));
    }

    [Fact]
    public void Without_the_master_key_it_neither_opens_nor_matches_a_guess()
    {
        var sealedForm = Before().Seal("+919800000001");
        var stranger = new CustomerKeys(RandomNumberGenerator.GetBytes(32)).Recipients();
        Assert.Throws<CryptographicException>(() => stranger.Open(sealedForm));
        Assert.NotEqual(sealedForm, stranger.Seal("+919800000001"));
    }

    [Fact]
    public void After_a_rotation_the_active_key_seals_and_every_configured_key_opens()
    {
        var old = Before().Seal("+919800000001");
        var seal = After();
        var fresh = seal.Seal("+919800000001");
        Assert.Equal(RecipientSeal.LegacyId, RecipientSeal.KeyIdOf(old));
        Assert.Equal("k2", RecipientSeal.KeyIdOf(fresh));
        Assert.Equal("+919800000001", seal.Open(old));
        Assert.Equal("+919800000001", seal.Open(fresh));
        // A key no longer configured: a clear error, not a wrong number.
        var onlyK2 = new RecipientSeal(new Dictionary<string, byte[]> { ["k2"] = K2 }, "k2");
        var failure = Assert.Throws<CryptographicException>(() => onlyK2.Open(old));
        Assert.Contains("legacy", failure.Message);
    }

    [Theory]
    [InlineData("~r1.")]
    [InlineData("~r1..!!!")]
    [InlineData("~r1..AAAA")]
    public void A_malformed_sealed_recipient_is_a_clear_error(string value) =>
        Assert.Throws<CryptographicException>(() => Before().Open(value));

    [Fact]
    public void An_altered_sealed_recipient_does_not_open()
    {
        var seal = Before();
        var sealedForm = seal.Seal("+919800000001");
        var i = sealedForm.Length - 5;
        var altered = sealedForm[..i] + (sealedForm[i] == 'A' ? 'B' : 'A') + sealedForm[(i + 1)..];
        Assert.Throws<CryptographicException>(() => seal.Open(altered));
    }
}

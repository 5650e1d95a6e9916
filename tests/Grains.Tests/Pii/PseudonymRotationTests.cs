using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>
/// Rotation of the keys <c>Pii:MasterKey</c> roots besides the vault's: PII token keys, address pseudonym keys and
/// session-token keys. New ones come from the active master key; the older ones still recognise what they made until
/// they are retired.
/// </summary>
public class PseudonymRotationTests
{
    private static readonly byte[] Master = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] K2 = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);

    private static readonly CustomerKeys Legacy = new(Master);
    private static readonly CustomerKeys Rotated = new(Master, new Dictionary<string, byte[]> { ["k2"] = K2 }, "k2", legacyRetired: false);
    private static readonly CustomerKeys Retired = new(Master, new Dictionary<string, byte[]> { ["k2"] = K2 }, "k2", legacyRetired: true, legacyPseudonymsRetired: true);

    [Fact]
    public void A_value_seen_before_the_rotation_keeps_its_token_and_a_new_value_gets_the_new_keys_token()
    {
        var canary = new Canary();
        var other = new Canary();
        var (_, before) = Legacy.Tokenizer("airline", "c-1", Salt, _ => false).Tokenize($"card {canary.Card}");
        var oldToken = Assert.Single(before).Token;
        var vault = new HashSet<string> { oldToken };

        var rotated = Rotated.Tokenizer("airline", "c-1", Salt, vault.Contains);
        var (text, again) = rotated.Tokenize($"card {canary.CardSpaced} and {other.Card}");
        Assert.Equal(oldToken, again[0].Token);
        Assert.Contains(oldToken, text);
        var newToken = again[1].Token;
        Assert.Equal(new PiiTokenizer(Rotated.TokenKey("airline", "c-1", Salt)).TokenFor(PiiKind.Card, other.Card, other.Card[^4..]), newToken);
        Assert.NotEqual(new PiiTokenizer(Legacy.TokenKey("airline", "c-1", Salt)).TokenFor(PiiKind.Card, other.Card, other.Card[^4..]), newToken);
        Assert.Null(canary.FoundIn(text));
        Assert.Null(other.FoundIn(text));

        // Without the vault's answer (or once the old key is retired) the same card gets the new key's token.
        Assert.NotEqual(oldToken, Assert.Single(Rotated.Tokenizer("airline", "c-1", Salt, _ => false).Tokenize(canary.Card).Findings).Token);
        Assert.NotEqual(oldToken, Assert.Single(Retired.Tokenizer("airline", "c-1", Salt, vault.Contains).Tokenize(canary.Card).Findings).Token);
    }

    [Fact]
    public void Session_tokens_signed_before_a_rotation_verify_until_the_old_key_is_retired()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var legacy = new SessionTokens(Legacy.SessionTokenKeys, time);
        var rotated = new SessionTokens(Rotated.SessionTokenKeys, time);
        var retired = new SessionTokens(Retired.SessionTokenKeys, time);

        var before = legacy.Issue("airline", "c-1", "join", TimeSpan.FromMinutes(30), out _);
        Assert.Equal("c-1", rotated.Validate("airline", before)?.CustomerId);
        var after = rotated.Issue("airline", "c-2", "join", TimeSpan.FromMinutes(30), out _);
        Assert.Equal("c-2", rotated.Validate("airline", after)?.CustomerId);
        // Signed with the new key: an engine that only knows the old one refuses it.
        Assert.Null(legacy.Validate("airline", after));
        Assert.Null(retired.Validate("airline", before));
        Assert.Equal("c-2", retired.Validate("airline", after)?.CustomerId);
        // Still bound to the tenant and the expiry under every key.
        Assert.Null(rotated.Validate("other", before));
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(rotated.Validate("airline", before));
    }

    [Fact]
    public void An_address_has_one_pseudonym_per_configured_key_the_active_one_first()
    {
        var address = new ChannelAddress(AddressKind.WhatsApp, "919812345678");
        var legacyKey = new AddressPseudonyms(Legacy).IdentityKey("airline", address);
        var keys = new AddressPseudonyms(Rotated).IdentityKeys("airline", address);
        Assert.Equal(2, keys.Count);
        Assert.Equal(new AddressPseudonyms(Rotated).IdentityKey("airline", address), keys[0]);
        Assert.NotEqual(legacyKey, keys[0]);
        Assert.Equal(legacyKey, keys[1]);
        Assert.All(keys, k => Assert.DoesNotContain("919812345678", k));
        Assert.False(new AddressPseudonyms(Legacy).Rotating);
        Assert.True(new AddressPseudonyms(Rotated).Rotating);
        Assert.Equal([new AddressPseudonyms(Retired).IdentityKey("airline", address)], new AddressPseudonyms(Retired).IdentityKeys("airline", address));
        Assert.Equal(keys[0], new AddressPseudonyms(Retired).IdentityKey("airline", address));
    }

    [Fact]
    public void Key_ids_list_the_active_key_first_and_retiring_the_legacy_root_needs_an_active_key()
    {
        var k1 = RandomNumberGenerator.GetBytes(32);
        var both = new CustomerKeys(Master, new Dictionary<string, byte[]> { ["k2"] = K2, ["k1"] = k1 }, "k2", false);
        Assert.Equal(["k2", "k1", CustomerKeys.LegacyId], both.PseudonymKeyIds);
        Assert.Equal([CustomerKeys.LegacyId], Legacy.PseudonymKeyIds);
        Assert.Equal(["k2"], Retired.PseudonymKeyIds);

        var options = new PiiOptions { MasterKey = Convert.ToBase64String(Master), RetireLegacyPseudonymKeys = true };
        var e = Assert.Throws<InvalidOperationException>(() => CustomerKeys.FromOptions(options, out _));
        Assert.Contains("Pii:RetireLegacyPseudonymKeys", e.Message);
        options.MasterKeys["k2"] = Convert.ToBase64String(K2);
        options.ActiveMasterKey = "k2";
        Assert.Equal(["k2"], CustomerKeys.FromOptions(options, out _).PseudonymKeyIds);
    }
}

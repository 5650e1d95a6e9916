using System.Security.Cryptography;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>Master key rotation: old values open, new ones carry the new key's id, and after a rewrap the old key goes.</summary>
public class KeyRotationTests
{
    private static readonly byte[] Master = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(32);
    private const string Token = "{{card:1111:3f9a2c7d1e}}";

    private static PiiVault VaultOf(CustomerKeys keys) => keys.Vault("airline", "c-1", Salt);

    [Fact]
    public void Values_sealed_before_rotation_still_open_and_new_values_carry_the_new_key_id()
    {
        var before = VaultOf(new CustomerKeys(Master)).Seal(Token, "4111111111111111");
        Assert.Null(PiiVault.KeyIdOf(before));

        var next = RandomNumberGenerator.GetBytes(32);
        var rotated = new CustomerKeys(Master, new Dictionary<string, byte[]> { ["2026-12"] = next }, "2026-12", legacyRetired: false);
        Assert.Equal("4111111111111111", VaultOf(rotated).Open(Token, before));

        var after = VaultOf(rotated).Seal(Token, "4111111111111111");
        Assert.Equal("2026-12", PiiVault.KeyIdOf(after));
        // Sealed under the new key: the old configuration cannot open it, and says which key is missing.
        var e = Assert.ThrowsAny<CryptographicException>(() => VaultOf(new CustomerKeys(Master)).Open(Token, after));
        Assert.Contains("2026-12", e.Message);
        // New tokens come from the new key too; the old one is still there to recognise tokens made before.
        Assert.NotEqual(new CustomerKeys(Master).TokenKey("airline", "c-1", Salt), rotated.TokenKey("airline", "c-1", Salt));
        Assert.Equal(new CustomerKeys(Master).TokenKey("airline", "c-1", Salt), rotated.TokenKeys("airline", "c-1", Salt)[1]);
    }

    [Fact]
    public void After_a_rewrap_the_old_key_can_be_removed()
    {
        var before = VaultOf(new CustomerKeys(Master)).Seal(Token, "secret");
        var next = RandomNumberGenerator.GetBytes(32);
        var named = new Dictionary<string, byte[]> { ["k2"] = next };
        var rewrapped = VaultOf(new CustomerKeys(Master, named, "k2", legacyRetired: false)).Rewrap(Token, before);
        Assert.Equal("k2", PiiVault.KeyIdOf(rewrapped));

        var retired = new CustomerKeys(Master, named, "k2", legacyRetired: true);
        Assert.Equal("secret", VaultOf(retired).Open(Token, rewrapped));
        Assert.ThrowsAny<CryptographicException>(() => VaultOf(retired).Open(Token, before));
    }

    [Fact]
    public void A_second_rotation_moves_values_from_one_named_key_to_the_next()
    {
        var k1 = RandomNumberGenerator.GetBytes(32);
        var k2 = RandomNumberGenerator.GetBytes(32);
        var first = VaultOf(new CustomerKeys(Master, new Dictionary<string, byte[]> { ["k1"] = k1 }, "k1", true)).Seal(Token, "secret");
        var both = VaultOf(new CustomerKeys(Master, new Dictionary<string, byte[]> { ["k1"] = k1, ["k2"] = k2 }, "k2", true));
        Assert.Equal("secret", both.Open(Token, first));
        var moved = both.Rewrap(Token, first);
        Assert.Same(moved, both.Rewrap(Token, moved)); // already under the active key: nothing to write
        var onlyK2 = VaultOf(new CustomerKeys(Master, new Dictionary<string, byte[]> { ["k2"] = k2 }, "k2", true));
        Assert.Equal("secret", onlyK2.Open(Token, moved));
        Assert.ThrowsAny<CryptographicException>(() => onlyK2.Open(Token, first));
    }

    [Fact]
    public void A_rewrapped_value_still_cannot_move_to_another_token()
    {
        var named = new Dictionary<string, byte[]> { ["k2"] = RandomNumberGenerator.GetBytes(32) };
        var vault = VaultOf(new CustomerKeys(Master, named, "k2", true));
        var sealedValue = vault.Seal(Token, "secret");
        Assert.ThrowsAny<CryptographicException>(() => vault.Open("{{card:2222:0000000000}}", sealedValue));
    }

    [Theory]
    [InlineData("k9", false, "not in Pii:MasterKeys")]
    [InlineData(null, true, "needs Pii:ActiveMasterKey")]
    public void A_key_ring_that_could_not_work_stops_the_silo_with_a_clear_message(string? active, bool retire, string message)
    {
        var options = new PiiOptions
        {
            MasterKey = Convert.ToBase64String(Master),
            MasterKeys = { ["k2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
            ActiveMasterKey = active,
            RetireLegacyVaultKey = retire,
        };
        var e = Assert.Throws<InvalidOperationException>(() => CustomerKeys.FromOptions(options, out _));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Options_with_a_named_active_key_seal_under_it()
    {
        var options = new PiiOptions
        {
            MasterKey = Convert.ToBase64String(Master),
            MasterKeys = { ["2026-12"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
            ActiveMasterKey = "2026-12",
        };
        var keys = CustomerKeys.FromOptions(options, out _);
        Assert.Equal("2026-12", PiiVault.KeyIdOf(VaultOf(keys).Seal(Token, "x")));
    }
}

using System.Security.Cryptography;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Pii;

public class PiiVaultTests
{
    private static readonly CustomerKeys Keys = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void A_sealed_value_opens_with_the_same_customer_key()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        var vault = new PiiVault(Keys.VaultKey("airline", "c-1", salt));
        var sealedValue = vault.Seal("{{card:1111:abc}}", "4111111111111111");
        Assert.DoesNotContain("4111", System.Text.Encoding.UTF8.GetString(sealedValue));
        Assert.Equal("4111111111111111", vault.Open("{{card:1111:abc}}", sealedValue));
    }

    [Fact]
    public void Another_salt_another_customer_or_another_token_cannot_open_it()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        var sealedValue = new PiiVault(Keys.VaultKey("airline", "c-1", salt)).Seal("t1", "secret");
        Assert.ThrowsAny<CryptographicException>(() => new PiiVault(Keys.VaultKey("airline", "c-1", RandomNumberGenerator.GetBytes(32))).Open("t1", sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => new PiiVault(Keys.VaultKey("airline", "c-2", salt)).Open("t1", sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => new PiiVault(Keys.VaultKey("airline", "c-1", salt)).Open("t2", sealedValue));
    }

    [Fact]
    public void Checksums_match_published_examples()
    {
        Assert.True(Checksums.Luhn("79927398713"));
        Assert.False(Checksums.Luhn("79927398710"));
        Assert.True(Checksums.Verhoeff("2363"));
        Assert.False(Checksums.Verhoeff("2364"));
        Assert.Equal('3', Checksums.VerhoeffCheckDigit("236"));
        Assert.True(Checksums.Iban("GB82WEST12345698765432"));
        Assert.False(Checksums.Iban("GB82WEST12345698765433"));
    }
}

using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Pii;

/// <summary>
/// A customer's address as its journal stores it: the kind, the address's pseudonym (its identity key under the
/// address key it was sealed with) and the normalised value sealed in the customer's vault (AES-256-GCM under the
/// customer's vault key, the pseudonym as associated data). The clear value exists only in the grain's memory; erasing
/// the customer's salt crypto-shreds it with the rest of the vault.
/// </summary>
[GenerateSerializer, Immutable, Alias("sealed-address")]
public sealed record SealedAddress(
    [property: Id(0)] AddressKind Kind,
    [property: Id(1)] string Pseudonym,
    [property: Id(2)] byte[] Ciphertext)
{
    /// <summary>Associated data of an address's ciphertext: the pseudonym, apart from PII tokens (<c>{{kind:…}}</c>).</summary>
    private static string AssociatedData(string pseudonym) => "address/" + pseudonym;

    public static SealedAddress Seal(PiiVault vault, string pseudonym, ChannelAddress address) =>
        new(address.Kind, pseudonym, vault.Seal(AssociatedData(pseudonym), address.Value));

    /// <summary>The clear address; throws <see cref="System.Security.Cryptography.CryptographicException"/> when no configured key opens it.</summary>
    public ChannelAddress Open(PiiVault vault) => new(Kind, vault.Open(AssociatedData(Pseudonym), Ciphertext));

    /// <summary>Whether the address is sealed under the active master key with the active key's pseudonym (nothing for the rewrap pass to do).</summary>
    public bool IsCurrent(PiiVault vault, string activePseudonym) =>
        Pseudonym == activePseudonym && PiiVault.KeyIdOf(Ciphertext) == vault.ActiveKeyId;
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Addressing;

/// <summary>
/// Seals an outbound message's recipient (<see cref="Grains.Interfaces.Outbox.OutboundMessage.Recipient"/>, <see cref="Grains.Interfaces.Outbox.ReplyRoute.Recipient"/>)
/// so that what journals and Redis hold is no phone number or WhatsApp id. The form is
/// <c>~r1.{master key id}.{base64url(iv ‖ ciphertext ‖ tag)}</c>: AES-256-GCM under a key derived from that master key,
/// with a synthetic IV (HMAC-SHA256 of the number under a second derived key): one number seals to one string under one
/// key, so a shard's per-recipient order and grouping keep working, and without the master key a store reader can
/// neither open it nor test a guessed number. Every configured master key opens what it sealed (the id says which);
/// the active one seals. A recipient without the prefix is a clear one from a journal written before sealing existed:
/// <see cref="Open"/> passes it through, so old journals still load and are sent.
/// </summary>
public sealed class RecipientSeal
{
    public const string Prefix = "~r1.";
    /// <summary>The id written for the unnamed <c>Pii:MasterKey</c> (named ids are 1 to 32 characters, so never empty).</summary>
    public const string LegacyId = "";
    private const int IvSize = 12;
    private const int TagSize = 16;

    private readonly Dictionary<string, (ThreadLocal<AesGcm> Enc, byte[] Mac)> _keys = new(StringComparer.Ordinal);
    private readonly string _activeId;
    private readonly (ThreadLocal<AesGcm> Enc, byte[] Mac) _active;

    /// <param name="masterKeys">Every configured master key by id (<see cref="LegacyId"/> for <c>Pii:MasterKey</c>).</param>
    /// <param name="activeId">The id that seals.</param>
    public RecipientSeal(IReadOnlyDictionary<string, byte[]> masterKeys, string activeId)
    {
        foreach (var (id, master) in masterKeys)
        {
            if (master.Length < 32) throw new ArgumentException($"Master key '{id}' must be at least 32 bytes.", nameof(masterKeys));
            var enc = Derive(master, "switchboard/recipient/seal");
            // One cipher per thread and key: setting up AES-GCM costs more than sealing a number with it.
            _keys[id] = (new ThreadLocal<AesGcm>(() => new AesGcm(enc, TagSize)), Derive(master, "switchboard/recipient/iv"));
        }
        if (!_keys.TryGetValue(activeId, out _active)) throw new ArgumentException($"The active master key '{activeId}' is not configured.", nameof(activeId));
        _activeId = activeId;
    }

    /// <summary>Whether <paramref name="recipient"/> is in sealed form (else it is a clear one from an old journal).</summary>
    public static bool IsSealed(string? recipient) => recipient is not null && recipient.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The sealed form under the active key; a recipient already sealed (under any key) is returned as it is.</summary>
    public string Seal(string recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (IsSealed(recipient)) return recipient;
        var plain = Encoding.UTF8.GetBytes(recipient);
        var sealedValue = new byte[IvSize + plain.Length + TagSize];
        var iv = sealedValue.AsSpan(0, IvSize);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_active.Mac, plain, mac);
        mac[..IvSize].CopyTo(iv);
        _active.Enc.Value!.Encrypt(iv, plain, sealedValue.AsSpan(IvSize, plain.Length), sealedValue.AsSpan(IvSize + plain.Length), AssociatedData(_activeId));
        CryptographicOperations.ZeroMemory(plain);
        return Prefix + _activeId + "." + Base64Url.EncodeToString(sealedValue);
    }

    /// <summary>
    /// The clear recipient, to address a provider request or choose a shard; a clear recipient passes through.
    /// Throws <see cref="CryptographicException"/> when its key is not configured or it was altered.
    /// </summary>
    public string Open(string recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (!IsSealed(recipient)) return recipient;
        var dot = recipient.IndexOf('.', Prefix.Length);
        if (dot < 0) throw new CryptographicException("The sealed recipient is malformed.");
        var id = recipient[Prefix.Length..dot];
        if (!_keys.TryGetValue(id, out var key))
            throw new CryptographicException($"The recipient was sealed under master key id '{(id.Length == 0 ? "legacy" : id)}', which is not configured.");
        byte[] sealedValue;
        try { sealedValue = Base64Url.DecodeFromChars(recipient.AsSpan(dot + 1)); }
        catch (FormatException) { throw new CryptographicException("The sealed recipient is malformed."); }
        if (sealedValue.Length < IvSize + TagSize) throw new CryptographicException("The sealed recipient is malformed.");
        var length = sealedValue.Length - IvSize - TagSize;
        var plain = new byte[length];
        try
        {
            key.Enc.Value!.Decrypt(sealedValue.AsSpan(0, IvSize), sealedValue.AsSpan(IvSize, length), sealedValue.AsSpan(IvSize + length), plain, AssociatedData(id));
        }
        catch (AuthenticationTagMismatchException) { throw new CryptographicException("The sealed recipient does not open under its master key."); }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The master key id a sealed recipient names (<see cref="LegacyId"/> for <c>Pii:MasterKey</c>); null for a clear one.</summary>
    public static string? KeyIdOf(string recipient)
    {
        if (!IsSealed(recipient)) return null;
        var dot = recipient.IndexOf('.', Prefix.Length);
        return dot < 0 ? null : recipient[Prefix.Length..dot];
    }

    private static byte[] AssociatedData(string id) => Encoding.ASCII.GetBytes("recipient/" + id);

    private static byte[] Derive(byte[] master, string info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, [], Encoding.UTF8.GetBytes(info));
}

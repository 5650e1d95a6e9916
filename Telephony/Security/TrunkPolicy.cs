namespace Switchboard.Telephony.Security;

/// <summary>
/// Who may send requests to the user agent (<see cref="TrunkGuard"/>): loopback, an allow-list of SBC addresses or
/// CIDR ranges, digest credentials for everyone else, and the trunks that must use SIP over TLS and SRTP.
/// </summary>
public sealed class TrunkPolicy
{
    public bool AllowLoopback { get; init; } = true;
    public IReadOnlyList<string> AllowedSources { get; init; } = [];
    public IReadOnlyList<string> EncryptedTrunks { get; init; } = [];
    public IReadOnlyList<SipCredential> Credentials { get; init; } = [];
    public string Realm { get; init; } = "switchboard";
    /// <summary>Digest algorithms offered, most preferred first; empty means SHA-256 then MD5.</summary>
    public IReadOnlyList<string> DigestAlgorithms { get; init; } = [];
}

public sealed class SipCredential
{
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
}

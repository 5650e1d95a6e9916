namespace Switchboard.Grains.Pii;

/// <summary>Configuration section <c>Pii</c>. <see cref="MasterKey"/> is base64 of at least 32 bytes; with none set the silo makes one per process and says so (development only: vault contents do not survive a restart then).</summary>
public sealed class PiiOptions
{
    public const string Section = "Pii";

    public string? MasterKey { get; set; }

    /// <summary>Named master keys (id → base64); rotation adds one here and makes it active: it seals new vault values and roots new token, address and session-token keys.</summary>
    public Dictionary<string, string> MasterKeys { get; set; } = [];

    /// <summary>The id in <see cref="MasterKeys"/> new vault values are sealed under; unset seals with <see cref="MasterKey"/>.</summary>
    public string? ActiveMasterKey { get; set; }

    /// <summary>After every vault was rewrapped: <see cref="MasterKey"/> no longer opens vault values (it still roots token and address pseudonyms).</summary>
    public bool RetireLegacyVaultKey { get; set; }

    /// <summary>
    /// After a rewrap pass re-keyed every address: <see cref="MasterKey"/> no longer roots token, address and
    /// session-token lookups (new ones come from <see cref="ActiveMasterKey"/> from the moment it is set).
    /// </summary>
    public bool RetireLegacyPseudonymKeys { get; set; }
}

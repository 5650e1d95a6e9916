namespace Switchboard.Grains.Interfaces.Consent;

[GenerateSerializer, Alias("consent-purpose")]
public enum ConsentPurpose
{
    Transactional = 0,
    Marketing = 1,
    CallRecording = 2,
}

[GenerateSerializer, Alias("consent-status")]
public enum ConsentStatus
{
    Unknown = 0,
    Granted = 1,
    Revoked = 2,
}

public static class ConsentNames
{
    public static string ToWire(this ConsentPurpose purpose) => purpose switch
    {
        ConsentPurpose.Transactional => "transactional",
        ConsentPurpose.Marketing => "marketing",
        ConsentPurpose.CallRecording => "call-recording",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    public static string ToWire(this ConsentStatus status) => status switch
    {
        ConsentStatus.Unknown => "unknown",
        ConsentStatus.Granted => "granted",
        ConsentStatus.Revoked => "revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParsePurpose(string? wire, out ConsentPurpose purpose)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "transactional": purpose = ConsentPurpose.Transactional; return true;
            case "marketing": purpose = ConsentPurpose.Marketing; return true;
            case "call-recording" or "recording": purpose = ConsentPurpose.CallRecording; return true;
            default: purpose = default; return false;
        }
    }

    public static bool TryParseStatus(string? wire, out ConsentStatus status)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "granted": status = ConsentStatus.Granted; return true;
            case "revoked": status = ConsentStatus.Revoked; return true;
            case "unknown": status = ConsentStatus.Unknown; return true;
            default: status = default; return false;
        }
    }
}

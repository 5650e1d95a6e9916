namespace Switchboard.Grains.Pii;

public enum PiiKind
{
    Card,
    Aadhaar,
    Pan,
    Ssn,
    Iban,
    Email,
    Otp,
}

public static class PiiKindNames
{
    public static string ToWire(this PiiKind kind) => kind switch
    {
        PiiKind.Card => "card",
        PiiKind.Aadhaar => "aadhaar",
        PiiKind.Pan => "pan",
        PiiKind.Ssn => "ssn",
        PiiKind.Iban => "iban",
        PiiKind.Email => "email",
        PiiKind.Otp => "otp",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>A value found in text: its kind, the token that replaced it, and the raw value bound for the vault.</summary>
public sealed record PiiFinding(PiiKind Kind, string Token, string Raw);

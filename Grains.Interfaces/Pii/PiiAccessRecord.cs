namespace Switchboard.Grains.Interfaces.Pii;

/// <summary>The audit line written every time the vault resolves a token: who, why, when. Never the value.</summary>
[GenerateSerializer, Immutable, Alias("pii-access-record")]
public sealed record PiiAccessRecord(
    [property: Id(0)] string Token,
    [property: Id(1)] string Purpose,
    [property: Id(2)] string Actor,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Granted);

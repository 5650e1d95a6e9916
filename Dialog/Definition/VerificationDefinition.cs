namespace Switchboard.Dialog.Definition;

/// <summary>
/// How the bot checks it is talking to the customer before a flow marked <c>verify: true</c> goes on: a secret code
/// (a PIN, a code sent earlier) asked once, checked by the backend (or against <see cref="Demo"/> when no backend is
/// configured), and remembered in the customer's system metadata for <see cref="Lifetime"/>, on every channel.
/// The answer is tokenized at ingestion like any secret; only the check sees the digits.
/// </summary>
public sealed class VerificationDefinition
{
    /// <summary>What is recorded as the verification method ("booking-pin").</summary>
    public required string Method { get; init; }
    public required Template Prompt { get; init; }
    public Template? Reprompt { get; init; }
    /// <summary>Said when the code does not match, before asking again.</summary>
    public required Template Failed { get; init; }
    /// <summary>The pending step for the resume line ("checking it's you").</summary>
    public required Template Step { get; init; }
    public int MinDigits { get; init; } = 4;
    public int MaxDigits { get; init; } = 8;
    /// <summary>The backend check: POST <c>{"customer","method","code"}</c>; a 2xx answer without <c>"ok": false</c> passes.</summary>
    public HttpActionDefinition? Http { get; init; }
    /// <summary>The code that passes when the bot has no backend (the out-of-the-box demo).</summary>
    public string? Demo { get; init; }
    /// <summary>How long a passed check holds, across channels.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(24);
}

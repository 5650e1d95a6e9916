using Switchboard.Grains.Interfaces.Consent;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// A channel's rules for what a turn decides besides the reply, applied by the customer grain in the same call and the
/// same durable write: consent keywords (STOP / START / HELP and the purposes they change), the purpose the reply needs
/// consent for, how long call codes and "continue on web" links the reply carries stay valid, where the reply goes
/// (<see cref="Route"/>), and whether a free-form reply must fall inside the 24-hour window the message opened (WhatsApp).
/// </summary>
[GenerateSerializer, Immutable, Alias("turn-rules")]
public sealed record TurnRules(
    [property: Id(0)] IReadOnlyList<string> OptOutWords,
    [property: Id(1)] IReadOnlyList<string> OptInWords,
    [property: Id(2)] IReadOnlyList<ConsentPurpose> KeywordPurposes,
    [property: Id(3)] string OptOutReply,
    [property: Id(4)] string OptInReply,
    [property: Id(5)] TimeSpan CallCodeLifetime,
    [property: Id(6)] TimeSpan WebLinkLifetime,
    [property: Id(7)] ConsentPurpose ReplyPurpose = ConsentPurpose.Transactional,
    [property: Id(8)] IReadOnlyList<string>? HelpWords = null,
    [property: Id(9)] string? HelpReply = null,
    [property: Id(10)] Outbox.ReplyRoute? Route = null,
    [property: Id(11)] bool ReplyNeedsWindow = false)
{
    /// <summary>Rules for a channel with no keywords (web chat, voice): only the reply's consent and the lifetimes.</summary>
    public static TurnRules Plain(TimeSpan callCodeLifetime, TimeSpan webLinkLifetime) =>
        new([], [], [], "", "", callCodeLifetime, webLinkLifetime);
}

[GenerateSerializer, Alias("consent-keyword")]
public enum ConsentKeyword
{
    None = 0,
    OptOut = 1,
    OptIn = 2,
    Help = 3,
}

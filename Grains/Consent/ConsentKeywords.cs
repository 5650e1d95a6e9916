using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Consent;

/// <summary>STOP / UNSUBSCRIBE / START and the like: a message that is exactly one keyword (any case, surrounding spaces and punctuation ignored).</summary>
public static class ConsentKeywords
{
    public static ConsentKeyword Match(string? text, IEnumerable<string> optOut, IEnumerable<string> optIn)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return ConsentKeyword.None;
        var word = text.Trim().TrimEnd('.', '!').Trim();
        if (optOut.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return ConsentKeyword.OptOut;
        if (optIn.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return ConsentKeyword.OptIn;
        return ConsentKeyword.None;
    }

    /// <summary>The keyword a turn is under its channel's rules: opt-out and opt-in first, then help.</summary>
    public static ConsentKeyword Match(string? text, TurnRules rules)
    {
        var keyword = Match(text, rules.OptOutWords, rules.OptInWords);
        if (keyword != ConsentKeyword.None) return keyword;
        return rules.HelpWords is { Count: > 0 } help && Match(text, help, []) == ConsentKeyword.OptOut ? ConsentKeyword.Help : ConsentKeyword.None;
    }
}

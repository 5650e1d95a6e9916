namespace Switchboard.Channels.Outbox;

public enum KeywordIntent
{
    None,
    OptOut,
    OptIn,
}

/// <summary>STOP / UNSUBSCRIBE / START and the like: a message that is exactly one keyword (any case, surrounding spaces and punctuation ignored).</summary>
public static class ConsentKeywords
{
    public static KeywordIntent Match(string? text, IEnumerable<string> optOut, IEnumerable<string> optIn)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return KeywordIntent.None;
        var word = text.Trim().TrimEnd('.', '!').Trim();
        if (optOut.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return KeywordIntent.OptOut;
        if (optIn.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase))) return KeywordIntent.OptIn;
        return KeywordIntent.None;
    }
}

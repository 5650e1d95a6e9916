namespace Switchboard.Grains.Pii;

/// <summary>
/// Renders PII tokens for people: <c>{{card:1111:…}}</c> → "the card ending 1111". Replies pass through it, so a
/// customer never sees a raw token.
/// </summary>
public static class PiiDisplay
{
    public static string Humanize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("{{", StringComparison.Ordinal)) return text;
        return PiiTokenizer.TokenPattern().Replace(text, m =>
        {
            var shown = m.Groups[2].Value;
            return m.Groups[1].Value switch
            {
                "card" => shown.Length > 0 ? $"the card ending {shown}" : "the card",
                "aadhaar" => shown.Length > 0 ? $"the Aadhaar number ending {shown}" : "the Aadhaar number",
                "ssn" => shown.Length > 0 ? $"the SSN ending {shown}" : "the SSN",
                "iban" => shown.Length > 0 ? $"the account ending {shown}" : "the account",
                "pan" => "the PAN",
                "email" => shown.Length > 0 ? $"your {shown} email address" : "your email address",
                _ => "the code",
            };
        });
    }
}

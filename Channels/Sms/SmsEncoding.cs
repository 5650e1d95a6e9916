namespace Switchboard.Channels.Sms;

public enum SmsAlphabet
{
    Gsm7,
    Ucs2,
}

/// <summary>GSM 03.38: 160 septets in one part, 153 per part when concatenated; one character outside it forces UCS-2 (70, 67 per part).</summary>
public static class SmsEncoding
{
    private const string Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private const string Extension = "^{}\\[~]|€\f";
    private static readonly HashSet<char> BasicSet = [.. Basic];
    private static readonly HashSet<char> ExtensionSet = [.. Extension];

    public static SmsAlphabet AlphabetOf(string text) => text.All(c => BasicSet.Contains(c) || ExtensionSet.Contains(c)) ? SmsAlphabet.Gsm7 : SmsAlphabet.Ucs2;

    /// <summary>Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.</summary>
    public static int Units(string text, SmsAlphabet alphabet) => alphabet == SmsAlphabet.Gsm7 ? text.Sum(c => ExtensionSet.Contains(c) ? 2 : 1) : text.Length;

    public static int Segments(string text)
    {
        var alphabet = AlphabetOf(text);
        var units = Units(text, alphabet);
        var (single, multi) = alphabet == SmsAlphabet.Gsm7 ? (160, 153) : (70, 67);
        return units <= single ? 1 : (units + multi - 1) / multi;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxSegments"/> parts, ending with an ellipsis when cut.</summary>
    public static string Fit(string text, int maxSegments)
    {
        if (Segments(text) <= maxSegments) return text;
        var alphabet = AlphabetOf(text);
        var limit = (alphabet == SmsAlphabet.Gsm7 ? 153 : 67) * maxSegments - 3;
        var cut = text;
        while (Units(cut, alphabet) > limit) cut = cut[..^Math.Max(1, (Units(cut, alphabet) - limit) / 2)];
        if (char.IsHighSurrogate(cut[^1])) cut = cut[..^1];
        return cut.TrimEnd() + "...";
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Grains.Pii;

/// <summary>
/// Replaces card numbers, Aadhaar, PAN, SSN, IBAN, email addresses and OTP codes with typed tokens such as
/// <c>{{card:1111:3f9a2c7d1e}}</c>. The token keeps only what display needs (last digits, a mail domain) and a
/// keyed HMAC of the value, so the same value gives the same token for one customer and another token for anyone else.
/// After a key rotation new tokens come from the new (first) key; a value whose token under an older key is already
/// known (in the customer's vault) keeps that token, so one card stays one token across the rotation.
/// </summary>
public sealed partial class PiiTokenizer
{
    private readonly byte[] _tokenKey;
    private readonly byte[][] _olderKeys;
    private readonly Func<string, bool>? _known;

    public PiiTokenizer(byte[] tokenKey) : this([tokenKey], null) { }

    /// <param name="tokenKeys">The active key first, then older keys still configured.</param>
    /// <param name="known">Whether a token already exists (the customer's vault); with it an older key's token of a value is reused.</param>
    public PiiTokenizer(byte[][] tokenKeys, Func<string, bool>? known)
    {
        ArgumentNullException.ThrowIfNull(tokenKeys);
        if (tokenKeys.Length == 0) throw new ArgumentException("A tokenizer needs a token key.", nameof(tokenKeys));
        foreach (var key in tokenKeys)
            if (key is null || key.Length < 16) throw new ArgumentException("A token key needs at least 16 bytes.", nameof(tokenKeys));
        _tokenKey = tokenKeys[0];
        _olderKeys = tokenKeys[1..];
        _known = known;
    }

    /// <summary>Matches any token this class makes.</summary>
    [GeneratedRegex(@"\{\{(card|aadhaar|pan|ssn|iban|email|otp):([A-Za-z0-9.\-]*):([0-9a-f]{10})\}\}")]
    public static partial Regex TokenPattern();

    [GeneratedRegex(@"(?<![\d\w])(?:\d[ \-]?){12,18}\d(?![\d\w])")]
    private static partial Regex CardCandidate();

    [GeneratedRegex(@"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}\b")]
    private static partial Regex IbanCandidate();

    /// <summary>A word that says the next value is a PAN, so a lower-case one counts too.</summary>
    [GeneratedRegex(@"\b(?:pan|permanent account number)\b(?:\s+(?:card|number|no\.?|is|:|-))*\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex PanContext();

    [GeneratedRegex(@"(?<![\d\w])[2-9]\d{3}[ \-]?\d{4}[ \-]?\d{4}(?![\d\w])")]
    private static partial Regex AadhaarCandidate();

    [GeneratedRegex(@"(?<![\d\w])(?!000|666|9\d\d)\d{3}[\- ](?!00)\d{2}[\- ](?!0000)\d{4}(?![\d\w])")]
    private static partial Regex SsnCandidate();

    [GeneratedRegex(@"\b[A-Za-z]{3}[PCHFATBLJGpchfatbljg][A-Za-z]\d{4}[A-Za-z]\b")]
    private static partial Regex PanCandidate();

    [GeneratedRegex(@"\b[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})\b")]
    private static partial Regex EmailCandidate();

    // Not the digits inside a token written by an earlier pass ("pin {{card:0130:…}}"): found by fuzzing.
    [GeneratedRegex(@"\b(?:otp|code|passcode|pin|one[\- ]time(?:\s+(?:password|code|pin))?)\b[^\d\n]{0,24}?(?<![\d\w{:])(\d{4,8})(?![\d\w}:])", RegexOptions.IgnoreCase)]
    private static partial Regex OtpAfterKeyword();

    [GeneratedRegex(@"(?<![\d\w{:])(\d{4,8})(?![\d\w}:])")]
    private static partial Regex BareSecretDigits();

    /// <summary>
    /// Tokenizes <paramref name="text"/>. With <paramref name="expectSecretDigits"/> (the dialog is waiting for an
    /// OTP or PIN) any lone run of 4 to 8 digits counts as an OTP too.
    /// </summary>
    public (string Text, IReadOnlyList<PiiFinding> Findings) Tokenize(string text, bool expectSecretDigits = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!MayHoldPii(text)) return (text, []);
        var findings = new List<PiiFinding>();
        // One pass can hide a value its own replacements later uncover (a long digit run that fails the card checksum
        // stays plain, and once its neighbours are tokens a 14-digit card inside it stands alone): pass again until
        // nothing changes, so tokenizing tokenized text changes nothing. Each pass only turns raw values into tokens,
        // so this ends; the bound is a guard against a pattern that one day would not.
        var result = text;
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var before = findings.Count;
            result = TokenizeOnce(result, expectSecretDigits, findings);
            if (findings.Count == before) break;
        }
        return (result, findings);
    }

    private const int MaxPasses = 8;

    /// <summary>
    /// Every pattern needs at least two digits (an IBAN's check digits; cards, Aadhaar, SSN, PAN and OTP codes need four
    /// or more) or an '@' (email). Most chat text ("book a service", "yes") and most keyed or spoken choices ("1#",
    /// "option 2") have neither, and then none of the eight patterns runs. <see cref="char.IsDigit(char)"/> is what the
    /// patterns' <c>\d</c> matches: any Unicode decimal digit, Devanagari included.
    /// </summary>
    internal static bool MayHoldPii(string text)
    {
        var digits = 0;
        foreach (var c in text)
            if (c == '@' || (char.IsDigit(c) && ++digits >= MinDigits)) return true;
        return false;
    }

    /// <summary>The fewest digits any pattern matches: the IBAN's two check digits.</summary>
    private const int MinDigits = 2;

    private string TokenizeOnce(string text, bool expectSecretDigits, List<PiiFinding> findings)
    {
        var result = text;
        result = ReplaceOutsideTokens(CardCandidate(), result, m =>
        {
            var digits = DigitsOnly(m.Value);
            return digits.Length is >= 13 and <= 19 && Checksums.Luhn(digits)
                ? Emit(PiiKind.Card, digits, digits[^4..], findings)
                : m.Value;
        });
        result = ReplaceOutsideTokens(IbanCandidate(), result, m => Iban(m.Value, findings));
        result = ReplaceOutsideTokens(AadhaarCandidate(), result, m =>
        {
            var digits = DigitsOnly(m.Value);
            return Checksums.Verhoeff(digits) ? Emit(PiiKind.Aadhaar, digits, digits[^4..], findings) : m.Value;
        });
        result = ReplaceOutsideTokens(SsnCandidate(), result, m =>
        {
            var digits = DigitsOnly(m.Value);
            return Emit(PiiKind.Ssn, digits, digits[^4..], findings);
        });
        // A PAN is written in capitals; "ffeaa2903a" (an id, a hash) is one only after words that say so.
        var beforePan = result;
        result = ReplaceOutsideTokens(PanCandidate(), result, m =>
            m.Value.All(c => !char.IsLower(c)) || PanContext().IsMatch(beforePan.AsSpan(0, m.Index).ToString())
                ? Emit(PiiKind.Pan, m.Value.ToUpperInvariant(), "", findings) : m.Value);
        result = ReplaceOutsideTokens(EmailCandidate(), result, m => Emit(PiiKind.Email, m.Value.ToLowerInvariant(), m.Groups[1].Value.ToLowerInvariant(), findings));
        result = ReplaceOutsideTokens(OtpAfterKeyword(), result, m =>
        {
            var g = m.Groups[1];
            return string.Concat(m.Value.AsSpan(0, g.Index - m.Index), Emit(PiiKind.Otp, g.Value, "", findings), m.Value.AsSpan(g.Index - m.Index + g.Length));
        });
        if (expectSecretDigits)
            result = ReplaceOutsideTokens(BareSecretDigits(), result, m => Emit(PiiKind.Otp, m.Groups[1].Value, "", findings));
        return result;
    }

    /// <summary>
    /// <paramref name="pattern"/>'s replacements, except where a match overlaps a token an earlier pattern or pass wrote:
    /// a token's display part can hold digits and domains ("{{email:888788.com:…}}"), and rewriting them would break the
    /// token so it never resolves (found by fuzzing). Text without "{{" holds no token and skips the token scan.
    /// </summary>
    private static string ReplaceOutsideTokens(Regex pattern, string text, MatchEvaluator replace)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) return pattern.Replace(text, replace);
        var tokens = TokenPattern().Matches(text);
        if (tokens.Count == 0) return pattern.Replace(text, replace);
        return pattern.Replace(text, m =>
        {
            foreach (Match t in tokens)
                if (m.Index < t.Index + t.Length && t.Index < m.Index + m.Length) return m.Value;
            return replace(m);
        });
    }

    /// <summary>
    /// An IBAN only with a registered country code, exactly that country's length and a valid mod-97 check; the words after
    /// it stay words ("MH12AB1234 please" is a number plate).
    /// </summary>
    private string Iban(string candidate, List<PiiFinding> findings)
    {
        var country = candidate[..2].ToUpperInvariant();
        if (!IbanCountries.Length.TryGetValue(country, out var length)) return candidate;
        var compact = new System.Text.StringBuilder(length);
        var end = 0;
        while (end < candidate.Length && compact.Length < length)
        {
            if (candidate[end] != ' ') compact.Append(char.ToUpperInvariant(candidate[end]));
            end++;
        }
        if (compact.Length != length || (end < candidate.Length && candidate[end] != ' ')) return candidate;
        var iban = compact.ToString();
        return Checksums.Iban(iban) ? Emit(PiiKind.Iban, iban, iban[^4..], findings) + candidate[end..] : candidate;
    }

    /// <summary>The token a value of a kind gets for this customer under the active key.</summary>
    public string TokenFor(PiiKind kind, string normalizedValue, string display) => TokenFor(_tokenKey, kind, normalizedValue, display);

    private static string TokenFor(byte[] key, PiiKind kind, string normalizedValue, string display)
    {
        Span<byte> mac = stackalloc byte[32];
        var input = Encoding.UTF8.GetBytes(kind.ToWire() + "\0" + normalizedValue);
        HMACSHA256.HashData(key, input, mac);
        return $"{{{{{kind.ToWire()}:{display}:{Convert.ToHexStringLower(mac[..5])}}}}}";
    }

    /// <summary>The active key's token, unless the value already has a known token under an older key.</summary>
    private string TokenOf(PiiKind kind, string raw, string display)
    {
        var token = TokenFor(kind, raw, display);
        if (_known is null || _olderKeys.Length == 0 || _known(token)) return token;
        foreach (var older in _olderKeys)
        {
            var earlier = TokenFor(older, kind, raw, display);
            if (_known(earlier)) return earlier;
        }
        return token;
    }

    private string Emit(PiiKind kind, string raw, string display, List<PiiFinding> findings)
    {
        var token = TokenOf(kind, raw, display);
        findings.Add(new PiiFinding(kind, token, raw));
        return token;
    }

    private static string DigitsOnly(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (c is >= '0' and <= '9') sb.Append(c);
        return sb.ToString();
    }
}

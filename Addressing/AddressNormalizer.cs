using PhoneNumbers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Addressing;

/// <summary>
/// Turns what channels receive into the addresses identity is keyed by. Every phone-shaped address
/// (a WhatsApp <c>wa_id</c>, <c>sip:+91...@sbc</c>, <c>tel:</c>, an SMS sender) becomes E.164, so the WhatsApp
/// number 919800000001 and the caller sip:+919800000001@sbc are one customer.
/// </summary>
public static class AddressNormalizer
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    public const int MaxAddressLength = 256;

    /// <summary>The address identity is keyed by. WhatsApp ids become phone numbers.</summary>
    public static ChannelAddress Normalize(AddressKind kind, string? raw, string defaultRegion = "IN")
    {
        if (string.IsNullOrWhiteSpace(raw)) throw new InvalidAddressException("The address is empty.");
        if (raw.Length > MaxAddressLength) throw new InvalidAddressException($"The address is longer than {MaxAddressLength} characters.");
        raw = raw.Trim();
        return kind switch
        {
            AddressKind.Phone => new ChannelAddress(AddressKind.Phone, ToE164(raw, defaultRegion)),
            AddressKind.WhatsApp => new ChannelAddress(AddressKind.Phone, WhatsAppToE164(raw)),
            AddressKind.SipCallId => new ChannelAddress(AddressKind.SipCallId, Token(raw, "SIP Call-ID", 1, MaxAddressLength, allowAt: true)),
            AddressKind.WebVisitor => new ChannelAddress(AddressKind.WebVisitor, Token(raw, "web chat visitor id", 8, 64, allowAt: false)),
            AddressKind.CrmId => new ChannelAddress(AddressKind.CrmId, Token(raw, "CRM id", 1, 64, allowAt: false)),
            _ => throw new InvalidAddressException($"Unknown address kind {kind}."),
        };
    }

    /// <summary>A WhatsApp id is the number's digits with no plus; parsing it with a default region would mangle foreign numbers.</summary>
    public static string WhatsAppToE164(string waId)
    {
        if (waId.Length is < 7 or > 15 || !waId.All(char.IsAsciiDigit))
            throw new InvalidAddressException("A WhatsApp id is 7 to 15 digits with no plus sign.");
        return ToE164("+" + waId, null);
    }

    /// <summary>Accepts E.164, national formats (with the tenant's region), <c>tel:</c> and <c>sip:</c>/<c>sips:</c> URIs.</summary>
    public static string ToE164(string raw, string? defaultRegion)
    {
        var s = raw.Trim();
        if (s.StartsWith('<') && s.EndsWith('>')) s = s[1..^1];
        if (s.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || s.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[(s.IndexOf(':') + 1)..];
            var at = s.IndexOf('@');
            if (at >= 0) s = s[..at];
            var semi = s.IndexOf(';');
            if (semi >= 0) s = s[..semi];
        }
        else if (s.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[4..];
            var semi = s.IndexOf(';');
            if (semi >= 0) s = s[..semi];
        }
        if (s.Length == 0 || s.Length > 32) throw new InvalidAddressException("The phone number is empty or too long.");
        PhoneNumber number;
        try
        {
            number = Phones.Parse(s, s.StartsWith('+') ? null : defaultRegion);
        }
        catch (NumberParseException e)
        {
            throw new InvalidAddressException($"Not a phone number: {e.ErrorType}.");
        }
        if (!Phones.IsValidNumber(number)) throw new InvalidAddressException("Not a valid phone number.");
        return Phones.Format(number, PhoneNumberFormat.E164);
    }

    private static string Token(string raw, string what, int min, int max, bool allowAt)
    {
        if (raw.Length < min || raw.Length > max) throw new InvalidAddressException($"A {what} is {min} to {max} characters.");
        foreach (var c in raw)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' || (allowAt && c is '@' or ':' or '+' or '/' or '=' or '~' or '!' or '%' or '*');
            if (!ok) throw new InvalidAddressException($"A {what} may not contain '{c}'.");
        }
        return raw;
    }
}

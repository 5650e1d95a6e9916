using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// The short message left on an answering machine: the reason for the call, the number to call back, and a call code
/// the customer keys on calling back (star, then six digits) so the conversation continues where it stands.
/// Digits are spoken one by one, the way people read numbers out.
/// </summary>
public static class Voicemail
{
    /// <summary>How long the call code in a voicemail stays valid.</summary>
    public static readonly TimeSpan CallCodeLifetime = TimeSpan.FromDays(7);

    public static string Compose(string reason, string? callBackNumber, string? callCode)
    {
        var text = new StringBuilder(reason.Trim());
        if (text.Length > 0 && !".!?".Contains(text[^1])) text.Append('.');
        if (callBackNumber is { Length: > 0 })
        {
            text.Append(" Please call us back on ").Append(Digits(callBackNumber)).Append('.');
            if (callCode is { Length: > 0 }) text.Append(" When you call, press star, then ").Append(Digits(callCode)).Append(", and we will pick up where we left off.");
        }
        else if (callCode is { Length: > 0 }) text.Append(" Your call code is ").Append(Digits(callCode)).Append('.');
        return text.Append(" Goodbye.").ToString();
    }

    /// <summary>A free six-digit call code for the customer (the same codes WhatsApp's "call us" hands out).</summary>
    public static async Task<string> ClaimCallCodeAsync(IGrainFactory grains, string tenant, string customerId, DateTimeOffset expiresAt)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
            if (await grains.GetGrain<ICallCodeGrain>($"{tenant}/{code}").Claim(customerId, expiresAt)) return code;
        }
        throw new InvalidOperationException("No free call code after 20 attempts.");
    }

    /// <summary>"+1 555 0100" → "1 5 5 5 0 1 0 0": every digit said on its own.</summary>
    private static string Digits(string value) => string.Join(' ', value.Where(char.IsAsciiDigit));
}

using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Pii;

namespace Switchboard.TestSupport;

/// <summary>Fresh, valid-looking PII values for one test, so "it appears nowhere" cannot pass by accident or fail on someone else's data.</summary>
public sealed class Canary
{
    public string Card { get; } = LuhnValid("4" + Digits(14));
    public string Aadhaar { get; } = VerhoeffValid(RandomNumberGenerator.GetInt32(2, 10) + Digits(10));
    public string Email { get; } = $"canary.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}@example.org";

    /// <summary>A mobile number (India, E.164) used as a phone or SMS address.</summary>
    public string Phone { get; } = "+9198" + Digits(8);
    /// <summary>A WhatsApp id (a number without the plus) used as a WhatsApp address.</summary>
    public string WhatsAppId { get; } = "9197" + Digits(8);
    /// <summary>A SIP Call-ID as a trunk makes them (random part @ host) used as a voice address.</summary>
    public string SipCallId { get; } = $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}@10.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(256)}.7";

    /// <summary>The card written with spaces every four digits, as people type it.</summary>
    public string CardSpaced => string.Join(' ', Enumerable.Range(0, 4).Select(i => Card.Substring(i * 4, 4)));

    public string AadhaarSpaced => $"{Aadhaar[..4]} {Aadhaar[4..8]} {Aadhaar[8..]}";

    /// <summary>The raw forms a leak could take.</summary>
    public IEnumerable<string> Forms => [Card, CardSpaced, Aadhaar, AadhaarSpaced, Email,
        Phone, Phone[1..], WhatsAppId, "+" + WhatsAppId, SipCallId, SipCallId.Split('@')[0]];

    /// <summary>The first form of any canary value found in <paramref name="haystack"/>, or null.</summary>
    public string? FoundIn(string haystack) => Forms.FirstOrDefault(f => haystack.Contains(f, StringComparison.OrdinalIgnoreCase));

    public string? FoundIn(byte[] bytes) => FoundIn(Encoding.UTF8.GetString(bytes)) ?? FoundIn(Encoding.Unicode.GetString(bytes));

    /// <summary>
    /// Where a form of any canary value is at rest: a Redis key or value (every key dumped), a store file's name or bytes.
    /// Null when nowhere; an empty Redis or store folder is reported too, since then nothing was checked.
    /// </summary>
    public async Task<string?> FoundAtRestAsync(string storePath, RedisServer? redis)
    {
        if (redis is not null)
        {
            var dump = await redis.DumpAsync();
            if (dump.Count == 0) return "redis: no keys to check";
            foreach (var (key, value) in dump)
                if ((FoundIn(key) ?? FoundIn(value)) is { } found) return $"redis key {key}: {found}";
        }
        var files = Directory.EnumerateFiles(storePath, "*", SearchOption.AllDirectories).ToList();
        if (files.Count == 0) return "store: no files to check";
        if (FoundIn(string.Join('\n', files)) is { } inName) return $"a store file name: {inName}";
        foreach (var file in files)
            if (FoundIn(await File.ReadAllBytesAsync(file)) is { } found) return $"{Path.GetFileName(file)}: {found}";
        return null;
    }

    private static string Digits(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    private static string LuhnValid(string prefix15)
    {
        for (var d = 0; d < 10; d++)
        {
            var candidate = prefix15 + d;
            if (Checksums.Luhn(candidate)) return candidate;
        }
        throw new InvalidOperationException("unreachable");
    }

    private static string VerhoeffValid(string prefix11) => prefix11 + Checksums.VerhoeffCheckDigit(prefix11);
}

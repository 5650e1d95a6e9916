using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Bench.Webhooks;

/// <summary>A Cloud API text-message webhook as Meta posts it, signed with <c>X-Hub-Signature-256</c>, and its verification.</summary>
public static class SignedWebhook
{
    public const string AppSecret = "bench-app-secret-0123";
    public const string PhoneNumberId = "109876543210";
    public const string AccessToken = "bench-token";
    public const string SignatureHeader = "X-Hub-Signature-256";

    private static readonly byte[] Key = Encoding.UTF8.GetBytes(AppSecret);

    public static HttpRequestMessage Request(string waId, string messageId, string text)
    {
        var body = Encoding.UTF8.GetBytes(Json(waId, messageId, text));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SignatureHeader, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Key, body)));
        return request;
    }

    /// <summary>True when <paramref name="header"/> is <c>sha256=</c> + the hex HMAC of <paramref name="body"/> (fixed-time compare).</summary>
    public static bool Verify(ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Key, body, expected);
        byte[] given;
        try { given = Convert.FromHexString(header.AsSpan(7)); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static string Json(string wa, string id, string text) =>
        $$$"""{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550100000","phone_number_id":"{{{PhoneNumberId}}}"},"contacts":[{"profile":{"name":"Bench"},"wa_id":"{{{wa}}}"}],"messages":[{"from":"{{{wa}}}","id":"{{{id}}}","timestamp":"{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}","type":"text","text":{"body":"{{{text}}}"}}]}}]}]}""";
}

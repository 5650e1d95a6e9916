using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;

namespace Switchboard.Channels.Rcs;

/// <summary><c>POST /webhooks/rcs</c>: the RBM setup handshake (<c>{clientToken, secret}</c> → the secret) and signed deliveries.</summary>
public static class RcsEndpoints
{
    public const string Path = "/webhooks/rcs";

    public static IEndpointRouteBuilder MapRcs(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Receive);
        return app;
    }

    private static async Task<IResult> Receive(HttpRequest request, RcsOptions options, RcsWebhook webhook, ILoggerFactory loggers)
    {
        if (string.IsNullOrEmpty(options.ClientToken))
            return Problems.Unavailable("rcs-not-configured", "Set Rcs:ClientToken to receive RCS webhooks.");
        var body = await BoundedBody.ReadBytesAsync(request, options.MaxBodyBytes, request.HttpContext.RequestAborted);
        if (!body.Ok) return body.Problem!;
        // JSON is UTF-8 (RFC 8259); JsonDocument checks that only when a string is read, which would then throw (found by fuzzing).
        if (!System.Text.Unicode.Utf8.IsValid(body.Value)) return Problems.BadRequest("malformed-json", "The body is not UTF-8.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.Value);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest("malformed-json", $"The body is not JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Problems.BadRequest("malformed-json", "The body must be an object.");
            if (root.TryGetProperty("clientToken", out var token) && root.TryGetProperty("secret", out var secret))
            {
                try
                {
                    var ok = token.ValueKind == JsonValueKind.String && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                        Encoding.UTF8.GetBytes(token.GetString()!), Encoding.UTF8.GetBytes(options.ClientToken));
                    return ok ? Results.Json(new { secret = secret.ToString() }) : Problems.Forbidden("verification-failed", "clientToken does not match Rcs:ClientToken.");
                }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate: not text (found by fuzzing).
                    return Problems.BadRequest("malformed-json", "clientToken and secret must be text.");
                }
            }
            if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
                return Problems.BadRequest("unexpected-shape", "Expected {\"message\":{\"data\":\"<base64>\"}}.");
            byte[] decoded;
            try { decoded = Convert.FromBase64String(data.GetString()!); }
            catch (Exception e) when (e is FormatException or InvalidOperationException) { return Problems.BadRequest("bad-base64", "message.data is not base64."); }
            if (!RcsWebhook.IsValid(options.ClientToken, decoded, request.Headers[RcsWebhook.SignatureHeader].ToString()))
            {
                loggers.CreateLogger(typeof(RcsEndpoints).FullName!).LogWarning("RCS webhook with a missing or wrong signature refused");
                return Problems.Unauthorized($"{RcsWebhook.SignatureHeader} does not match.");
            }
            JsonDocument inner;
            try { inner = JsonDocument.Parse(decoded); }
            catch (JsonException e) { return Problems.BadRequest("malformed-json", $"message.data is not JSON: {e.Message}"); }
            using (inner)
            {
                var outcome = await webhook.ProcessAsync(inner.RootElement);
                return Results.Ok(new { outcome });
            }
        }
    }
}

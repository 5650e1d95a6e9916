using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;

namespace Switchboard.Channels.WhatsApp;

/// <summary><c>GET /webhooks/whatsapp</c> (subscription handshake) and <c>POST /webhooks/whatsapp</c> (signed deliveries).</summary>
public static class WhatsAppEndpoints
{
    public const string Path = "/webhooks/whatsapp";

    public static IEndpointRouteBuilder MapWhatsApp(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Verify);
        app.MapPost(Path, Receive);
        return app;
    }

    private static IResult Verify(HttpRequest request, WhatsAppOptions options)
    {
        var q = request.Query;
        var mode = q["hub.mode"].ToString();
        var token = q["hub.verify_token"].ToString();
        var challenge = q["hub.challenge"].ToString();
        if (string.IsNullOrEmpty(options.VerifyToken) || mode != "subscribe" || challenge.Length is 0 or > 256
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(options.VerifyToken)))
            return Problems.Forbidden("verification-failed", "hub.mode must be subscribe and hub.verify_token must match WhatsApp:VerifyToken.");
        return Results.Text(challenge, "text/plain");
    }

    private static async Task<IResult> Receive(HttpRequest request, WhatsAppOptions options, WhatsAppWebhook webhook, ILoggerFactory loggers)
    {
        if (string.IsNullOrEmpty(options.AppSecret))
            return Problems.Unavailable("whatsapp-not-configured", "Set WhatsApp:AppSecret to receive WhatsApp webhooks.");
        var body = await BoundedBody.ReadBytesAsync(request, options.MaxBodyBytes, request.HttpContext.RequestAborted);
        if (!body.Ok) return body.Problem!;
        if (!WhatsAppSignature.IsValid(options.AppSecret, body.Value, request.Headers[WhatsAppSignature.Header].ToString()))
        {
            loggers.CreateLogger(typeof(WhatsAppEndpoints).FullName!).LogWarning("WhatsApp webhook with a missing or wrong signature refused ({Bytes} bytes)", body.Value!.Length);
            return Problems.Unauthorized($"{WhatsAppSignature.Header} does not match the body.");
        }
        WebhookPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<WebhookPayload>(body.Value, WebhookPayload.Json);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest("malformed-json", $"The body is not a WhatsApp webhook: {e.Message}");
        }
        if (payload?.Object != "whatsapp_business_account")
            return Problems.BadRequest("unexpected-object", "object must be whatsapp_business_account.");
        var report = await webhook.ProcessAsync(payload, $"{request.Scheme}://{request.Host}");
        return Results.Ok(report);
    }
}

using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;

namespace Switchboard.Channels.Sms;

/// <summary><c>POST /webhooks/sms</c>: inbound messages and delivery receipts, form-encoded and signed (Twilio's format).</summary>
public static class SmsEndpoints
{
    public const string Path = "/webhooks/sms";
    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

    public static IEndpointRouteBuilder MapSms(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Receive);
        return app;
    }

    private static async Task<IResult> Receive(HttpRequest request, SmsOptions options, SmsWebhook webhook, ILoggerFactory loggers)
    {
        if (string.IsNullOrEmpty(options.AuthToken))
            return Problems.Unavailable("sms-not-configured", "Set Sms:AuthToken to receive SMS webhooks.");
        if (!(request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ?? false))
            return Problems.UnsupportedMediaType("Send the body as application/x-www-form-urlencoded.");
        var body = await BoundedBody.ReadBytesAsync(request, options.MaxBodyBytes, request.HttpContext.RequestAborted);
        if (!body.Ok) return body.Problem!;
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.Value!))
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        var url = options.WebhookUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        if (!TwilioSignature.IsValid(options.AuthToken, url, form, request.Headers[TwilioSignature.Header].ToString()))
        {
            loggers.CreateLogger(typeof(SmsEndpoints).FullName!).LogWarning("SMS webhook with a missing or wrong signature refused");
            return Problems.Unauthorized($"{TwilioSignature.Header} does not match.");
        }
        var outcome = await webhook.ProcessAsync(form);
        request.HttpContext.Response.Headers["X-Switchboard-Outcome"] = outcome;
        return Results.Text(EmptyTwiml, "text/xml");
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Channels.WhatsApp;
using Switchboard.Tenancy;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The WhatsApp, SMS and RCS webhook endpoints exactly as mapped in the engine, called with the input as the body and a
/// valid signature (so the fuzzer gets past the signature check into the readers). Any status is fine; an exception
/// out of the endpoint (a 500 in the engine) is a bug, except <see cref="ReachedEngine"/>.
/// </summary>
public static class WebhookTargets
{
    public const string AppSecret = "fuzz-app-secret";
    public const string SmsToken = "fuzz-sms-token";
    public const string RcsToken = "fuzz-rcs-token";
    public const string SmsUrl = "https://switchboard.example/webhooks/sms";

    private static readonly Lazy<Endpoints> Mapped = new(Build);
    private static long _reached;

    /// <summary>Inputs that got through signature and reader to the engine's door (the seeds must: else the fuzzer only meets the signature check).</summary>
    public static long ReachedEngineCount => Interlocked.Read(ref _reached);

    public static void WhatsApp(ReadOnlySpan<byte> input) => PostWhatsApp(input);

    public static void Sms(ReadOnlySpan<byte> input) => PostSms(input);

    public static void Rcs(ReadOnlySpan<byte> input) => PostRcs(input);

    /// <summary>The status the endpoint answered, or 0 when the input reached the engine.</summary>
    public static int PostWhatsApp(ReadOnlySpan<byte> input)
    {
        var signature = WhatsAppSignature.Sign(AppSecret, input);
        return Call(Mapped.Value.WhatsApp, input, "application/json", h => h[WhatsAppSignature.Header] = signature);
    }

    public static int PostSms(ReadOnlySpan<byte> input)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(input)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToString())).ToList();
        var signature = TwilioSignature.Compute(SmsToken, SmsUrl, form);
        return Call(Mapped.Value.Sms, input, "application/x-www-form-urlencoded", h => h[TwilioSignature.Header] = signature);
    }

    public static int PostRcs(ReadOnlySpan<byte> input)
    {
        var signature = RcsSignatureFor(input);
        return Call(Mapped.Value.Rcs, input, "application/json", h => { if (signature is not null) h[RcsWebhook.SignatureHeader] = signature; });
    }

    /// <summary>The provider signs the decoded <c>message.data</c>; an input without one goes unsigned (and is refused before the reader).</summary>
    private static string? RcsSignatureFor(ReadOnlySpan<byte> input)
    {
        try
        {
            using var doc = JsonDocument.Parse(input.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object
                && m.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String)
                return RcsWebhook.Sign(RcsToken, Convert.FromBase64String(d.GetString()!));
        }
        // Invalid UTF-8 inside a JSON string (InvalidOperationException) or bad base64: sent unsigned, as a forger would.
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
        }
        return null;
    }

    private static int Call(RequestDelegate endpoint, ReadOnlySpan<byte> body, string contentType, Action<IHeaderDictionary> sign)
    {
        var http = new DefaultHttpContext { RequestServices = Mapped.Value.Services };
        http.Request.Method = "POST";
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("switchboard.example");
        http.Request.Path = "/webhooks/x";
        http.Request.ContentType = contentType;
        http.Request.Body = new MemoryStream(body.ToArray());
        http.Request.ContentLength = body.Length;
        http.Response.Body = Stream.Null;
        sign(http.Request.Headers);
        try
        {
            endpoint(http).GetAwaiter().GetResult();
            return http.Response.StatusCode;
        }
        catch (ReachedEngine)
        {
            Interlocked.Increment(ref _reached);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is ReachedEngine))
        {
            Interlocked.Increment(ref _reached);
        }
        return 0;
    }

    private sealed record Endpoints(IServiceProvider Services, RequestDelegate WhatsApp, RequestDelegate Sms, RequestDelegate Rcs);

    private static Endpoints Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:DefaultRegion"] = "IN",
            ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:airline:Endpoints:0:Value"] = "109876543210",
            ["Tenants:airline:Endpoints:1:Channel"] = "sms",
            ["Tenants:airline:Endpoints:1:Value"] = "+15550100001",
            ["Tenants:airline:Endpoints:2:Channel"] = "rcs",
            ["Tenants:airline:Endpoints:2:Value"] = "skyways-agent",
            ["WhatsApp:AppSecret"] = AppSecret,
            ["Sms:AuthToken"] = SmsToken,
            ["Sms:WebhookUrl"] = SmsUrl,
            ["Rcs:ClientToken"] = RcsToken,
        });
        builder.Services.AddTenantDirectory(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(EngineBoundary.Create());
        // The channels seal reply recipients with the PII keys (a throwaway one: nothing is stored here).
        builder.Services.AddSingleton(new Switchboard.Grains.Pii.CustomerKeys(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).Recipients());
        builder.AddWhatsApp();
        builder.AddSms();
        builder.AddRcs();
        var app = builder.Build();
        app.MapWhatsApp();
        app.MapSms();
        app.MapRcs();
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();
        RequestDelegate Post(string path) => endpoints.Single(e => e.RoutePattern.RawText == path
            && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true).RequestDelegate!;
        return new Endpoints(app.Services, Post(WhatsAppEndpoints.Path), Post(SmsEndpoints.Path), Post(RcsEndpoints.Path));
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Bench.Webhooks;

/// <summary>The do-nothing handler: verify the signature, parse, answer 200, send one fixed reply to the Graph stand-in.</summary>
public sealed class DoNothingHandler : IWebhookPeer
{
    private readonly WebApplication _app;
    private readonly HttpClient _graph;

    public string Key => "base";
    public string Label => "do-nothing handler";
    public string BaseUrl { get; }

    private DoNothingHandler(WebApplication app, HttpClient graph, string baseUrl)
    {
        _app = app;
        _graph = graph;
        BaseUrl = baseUrl;
    }

    public static async Task<DoNothingHandler> StartAsync(string graphBaseUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient { BaseAddress = new Uri(graphBaseUrl) };
        var graph = new GraphSender(http);
        app.MapPost("/webhooks/whatsapp", async (HttpContext context) =>
        {
            var body = await WebhookBody.ReadAsync(context);
            if (!SignedWebhook.Verify(body.Span, context.Request.Headers[SignedWebhook.SignatureHeader])) return Results.Unauthorized();
            if (InboundText.Parse(body) is not { } message) return Results.Ok();
            _ = graph.SendTextAsync(message.From, "ok");
            return Results.Ok();
        });
        await app.StartAsync();
        return new DoNothingHandler(app, http, app.Urls.First().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _graph.Dispose();
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Channels.Tests;

/// <summary>Records every request to a fake SMS or RBM API and answers as the provider would.</summary>
public sealed class ProviderStandIn : IAsyncDisposable
{
    public sealed record Captured(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Captured> _requests = new();
    private int _counter;

    public string BaseUrl { get; private set; } = "";
    public IReadOnlyCollection<Captured> Requests => _requests;

    private ProviderStandIn(WebApplication app) => _app = app;

    public static async Task<ProviderStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new ProviderStandIn(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            standIn._requests.Enqueue(new Captured(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization, context.Request.ContentType, body));
            await Results.Json(new { sid = $"SM{Interlocked.Increment(ref standIn._counter):D32}", name = "phones/x/agentMessages/y" }, statusCode: 201).ExecuteAsync(context);
        });
        await app.StartAsync();
        standIn.BaseUrl = app.Urls.First().TrimEnd('/');
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

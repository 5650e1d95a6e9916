using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Cluster.Tests.Tracing;

/// <summary>
/// The WhatsApp Cloud API (Graph) as a stand-in: <c>POST /{version}/{phone-number-id}/messages</c> with the bearer token
/// <see cref="AccessToken"/>, answered as Graph answers (<c>messages[0].id</c>); 401 without it. Keeps the W3C
/// <c>traceparent</c> each send carried.
/// </summary>
public sealed class GraphApiStandIn : IAsyncDisposable
{
    public const string AccessToken = "graph-stand-in-token";
    private readonly WebApplication _app;
    private int _ids;

    public ConcurrentQueue<string?> TraceParents { get; } = new();
    public string Url { get; private set; } = "";

    private GraphApiStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{version}/{numberId}/messages", (HttpRequest request) =>
        {
            if (request.Headers.Authorization.ToString() != "Bearer " + AccessToken)
                return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
            TraceParents.Enqueue(request.Headers["traceparent"].FirstOrDefault());
            return Results.Json(new { messaging_product = "whatsapp", messages = new[] { new { id = $"wamid.graph.{Interlocked.Increment(ref _ids)}" } } });
        });
    }

    public static async Task<GraphApiStandIn> StartAsync()
    {
        var graph = new GraphApiStandIn();
        await graph._app.StartAsync();
        graph.Url = graph._app.Urls.First();
        return graph;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

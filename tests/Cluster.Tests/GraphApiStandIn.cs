using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// The WhatsApp Cloud API (Graph) as a stand-in: <c>POST /{version}/{phone-number-id}/messages</c> with the bearer token
/// <see cref="AccessToken"/>, answered as Graph answers (<c>messages[0].id</c>); 401 without it. Keeps the W3C
/// <c>traceparent</c> each send carried and every accepted message (its <c>to</c> and body). While <see cref="Hold"/> is on,
/// sends are held open unanswered (a slow provider: the replies are being sent) until <see cref="Release"/>.
/// </summary>
public sealed class GraphApiStandIn : IAsyncDisposable
{
    public const string AccessToken = "graph-stand-in-token";
    private readonly WebApplication _app;
    private int _ids;
    private volatile TaskCompletionSource? _hold;
    private int _holding;

    public sealed record Accepted(string To, string Body, string Id);

    public ConcurrentQueue<string?> TraceParents { get; } = new();
    /// <summary>Every message answered 200, in answer order.</summary>
    public ConcurrentQueue<Accepted> Sent { get; } = new();
    /// <summary>The recipients (<c>to</c>) of the sends held open now.</summary>
    public ConcurrentDictionary<string, int> HeldFor { get; } = new();
    /// <summary>Sends held open now.</summary>
    public int Holding => Volatile.Read(ref _holding);
    public string Url { get; private set; } = "";

    private GraphApiStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{version}/{numberId}/messages", async (HttpRequest request) =>
        {
            if (request.Headers.Authorization.ToString() != "Bearer " + AccessToken)
                return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
            TraceParents.Enqueue(request.Headers["traceparent"].FirstOrDefault());
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var to = JsonNode.Parse(body)?["to"]?.GetValue<string>() ?? "";
            if (_hold is { } hold)
            {
                Interlocked.Increment(ref _holding);
                HeldFor.AddOrUpdate(to, 1, (_, n) => n + 1);
                try { await hold.Task.WaitAsync(request.HttpContext.RequestAborted); }
                catch (OperationCanceledException) { return Results.Empty; }
                finally
                {
                    Interlocked.Decrement(ref _holding);
                    HeldFor.AddOrUpdate(to, 0, (_, n) => n - 1);
                }
            }
            var id = $"wamid.graph.{Interlocked.Increment(ref _ids)}";
            Sent.Enqueue(new Accepted(to, body, id));
            return Results.Json(new { messaging_product = "whatsapp", messages = new[] { new { id } } });
        });
    }

    /// <summary>From now on, sends are held open until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the held sends (each counted as accepted when answered) and stops holding.</summary>
    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    public static async Task<GraphApiStandIn> StartAsync()
    {
        var graph = new GraphApiStandIn();
        await graph._app.StartAsync();
        graph.Url = graph._app.Urls.First();
        return graph;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

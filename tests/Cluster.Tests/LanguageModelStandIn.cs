using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// The deployment's language model (<c>Bots:Llm</c>), a remote service, as a stand-in speaking the OpenAI chat completions
/// API: <c>POST /{name}/v1/chat/completions</c>, where each silo is given its own <c>{name}</c>, so the stand-in knows which
/// silo asked. It proposes no commands, at once, except for the first request whose user text contains
/// <see cref="HoldMarker"/>: that one it holds open, which keeps that turn in flight on that silo for as long as a test
/// needs (<see cref="Held"/> names the silo).
/// </summary>
public sealed class LanguageModelStandIn : IAsyncDisposable
{
    public const string HoldMarker = "zebra quartz plinth";
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<string> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holding;

    /// <summary>(silo name, whether the request carried the marker) of every request, in arrival order.</summary>
    public ConcurrentQueue<(string Silo, bool Marked)> Requests { get; } = new();
    /// <summary>Completes with the name of the silo whose marked request is being held.</summary>
    public Task<string> Held => _held.Task;
    public string Url { get; private set; } = "";

    private LanguageModelStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/{silo}/v1/chat/completions", async (string silo, HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var marked = body.Contains(HoldMarker, StringComparison.Ordinal);
            Requests.Enqueue((silo, marked));
            if (marked && Interlocked.CompareExchange(ref _holding, 1, 0) == 0)
            {
                _held.TrySetResult(silo);
                // Held until the silo that asked is gone (its connection aborts) or the stand-in stops.
                try { await _release.Task.WaitAsync(http.RequestAborted); }
                catch (OperationCanceledException) { return Results.Empty; }
            }
            return Results.Json(new
            {
                id = "chatcmpl-1", @object = "chat.completion", created = 0, model = "stand-in",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "{\"commands\":[]}" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
            });
        });
    }

    public static async Task<LanguageModelStandIn> StartAsync()
    {
        var model = new LanguageModelStandIn();
        await model._app.StartAsync();
        model.Url = model._app.Urls.First();
        return model;
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

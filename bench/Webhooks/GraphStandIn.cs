using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// The Graph API stand-in on loopback: <c>POST /{version}/{phone-number-id}/messages</c> with a bearer token, answered
/// the way the Cloud API answers (<c>contacts</c> + <c>messages[].id</c>; 401 with an OAuth error without a token). It counts
/// the messages each recipient gets and wakes the sender waiting for that recipient's reply with the arrival time.
/// </summary>
public sealed class GraphStandIn : IAsyncDisposable
{
    private sealed class Recipient
    {
        public int Count;
        public TaskCompletionSource<long>? Waiting;
    }

    private readonly WebApplication _app;
    private ConcurrentDictionary<string, Recipient> _recipients = new();
    private long _total;
    private long _ids;
    private readonly Lock _totalLock = new();
    private (long Target, TaskCompletionSource Done)? _totalWaiter;

    public string BaseUrl { get; private set; } = "";

    private GraphStandIn(WebApplication app) => _app = app;

    public static async Task<GraphStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var graph = new GraphStandIn(app);
        app.MapPost("/{version}/{numberId}/messages", graph.Messages);
        await app.StartAsync();
        graph.BaseUrl = app.Urls.First().TrimEnd('/');
        return graph;
    }

    private async Task<IResult> Messages(HttpContext context, string version, string numberId)
    {
        var arrived = Stopwatch.GetTimestamp();
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + SignedWebhook.AccessToken)
            return Results.Json(new { error = new { message = "Invalid OAuth access token.", type = "OAuthException", code = 190 } }, statusCode: 401);
        using var doc = await JsonDocument.ParseAsync(context.Request.Body);
        var to = doc.RootElement.TryGetProperty("to", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(to) || !doc.RootElement.TryGetProperty("messaging_product", out _))
            return Results.Json(new { error = new { message = "(#100) Invalid parameter", type = "OAuthException", code = 100 } }, statusCode: 400);
        if (FirstReply is null && doc.RootElement.TryGetProperty("text", out var text) && text.TryGetProperty("body", out var b))
            FirstReply = b.GetString();
        else if (FirstReply is null && doc.RootElement.TryGetProperty("type", out var type))
            FirstReply = $"({type.GetString()} message)";
        var recipient = _recipients.GetOrAdd(to, _ => new Recipient());
        TaskCompletionSource<long>? waiter;
        lock (recipient)
        {
            recipient.Count++;
            waiter = recipient.Waiting;
            recipient.Waiting = null;
        }
        waiter?.TrySetResult(arrived);
        lock (_totalLock)
        {
            _total++;
            if (_totalWaiter is { } w && _total >= w.Target) w.Done.TrySetResult();
        }
        var id = $"wamid.standin.{Interlocked.Increment(ref _ids)}";
        return Results.Json(new { messaging_product = "whatsapp", contacts = new[] { new { input = to, wa_id = to } }, messages = new[] { new { id } } });
    }

    /// <summary>Call before posting the webhook: completes with the <see cref="Stopwatch"/> timestamp of the recipient's next message.</summary>
    public Task<long> Expect(string to)
    {
        var tcs = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var recipient = _recipients.GetOrAdd(to, _ => new Recipient());
        lock (recipient) recipient.Waiting = tcs;
        return tcs.Task;
    }

    /// <summary>The first message's text since the last <see cref="Reset"/>: shows which engine answered (bot or echo). Bench text only.</summary>
    public string? FirstReply { get; private set; }

    public int CountFor(string to) => _recipients.TryGetValue(to, out var r) ? Volatile.Read(ref r.Count) : 0;

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Completes when <paramref name="target"/> messages have arrived since the last <see cref="Reset"/>, or after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForTotalAsync(long target, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_totalLock)
        {
            if (_total >= target) return true;
            _totalWaiter = (target, done);
        }
        try
        {
            await done.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_totalLock) _totalWaiter = null;
        }
    }

    public void Reset()
    {
        _recipients = new();
        FirstReply = null;
        lock (_totalLock) _total = 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// The "stitched" design the engine exists to replace (a tracker store plus a lock store, as in Rasa and most webhook
/// bots), written small: verify, parse, <c>SET NX</c> a dedupe key on the wamid, take a per-customer lock
/// (<c>SET NX PX</c>), <c>GET</c> the customer's whole tracker (JSON), append the turn, <c>SET</c> it back, unlock with a
/// compare-and-delete script, answer 200 and send the reply to the Graph stand-in. The tracker is durable when the
/// 200 leaves; the reply is sent after it, as the do-nothing handler does (there is no outbox: a crash between the
/// write and the send loses the reply, which the engine's design does not).
/// </summary>
public sealed class StitchedHandler : IWebhookPeer
{
    private const string UnlockScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DedupeWindow = TimeSpan.FromDays(1);

    private readonly WebApplication _app;
    private readonly HttpClient _graph;
    private readonly ConnectionMultiplexer _redis;

    public string Key => "stitched";
    public string Label => "stitched (dedupe, Redis lock, GET/SET tracker)";
    public string BaseUrl { get; }

    private StitchedHandler(WebApplication app, HttpClient graph, ConnectionMultiplexer redis, string baseUrl)
    {
        _app = app;
        _graph = graph;
        _redis = redis;
        BaseUrl = baseUrl;
    }

    public static async Task<StitchedHandler> StartAsync(string graphBaseUrl, string redisConnectionString)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(redisConnectionString);
        var db = redis.GetDatabase();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient { BaseAddress = new Uri(graphBaseUrl) };
        var graph = new GraphSender(http);
        // Keys name customers by a keyed hash of their number, as the engine does: no phone number in Redis key names.
        var keyKey = RandomNumberGenerator.GetBytes(32);
        app.MapPost("/webhooks/whatsapp", async (HttpContext context) =>
        {
            var body = await WebhookBody.ReadAsync(context);
            if (!SignedWebhook.Verify(body.Span, context.Request.Headers[SignedWebhook.SignatureHeader])) return Results.Unauthorized();
            if (InboundText.Parse(body) is not { } message) return Results.Ok();
            if (!await db.StringSetAsync("stitched:dedupe:" + message.MessageId, 1, DedupeWindow, When.NotExists))
                return Results.Ok(); // a redelivery: answered the first time
            var customer = Convert.ToHexStringLower(HMACSHA256.HashData(keyKey, Encoding.UTF8.GetBytes(message.From)), 0, 16);
            var trackerKey = "stitched:tracker:" + customer;
            var lockKey = "stitched:lock:" + customer;
            var token = Guid.NewGuid().ToString("n");
            if (!await AcquireAsync(db, lockKey, token))
            {
                await db.KeyDeleteAsync("stitched:dedupe:" + message.MessageId);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
            string reply;
            try
            {
                var stored = await db.StringGetAsync(trackerKey);
                var tracker = stored.IsNull ? new JsonObject { ["sender_id"] = customer, ["events"] = new JsonArray() } : JsonNode.Parse((string)stored!)!.AsObject();
                var events = tracker["events"]!.AsArray();
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                reply = $"Got it ({events.Count / 2 + 1} messages so far).";
                events.Add(new JsonObject { ["event"] = "user", ["timestamp"] = now, ["message_id"] = message.MessageId, ["text"] = message.Text });
                events.Add(new JsonObject { ["event"] = "bot", ["timestamp"] = now, ["text"] = reply });
                await db.StringSetAsync(trackerKey, tracker.ToJsonString());
            }
            finally
            {
                await db.ScriptEvaluateAsync(UnlockScript, [lockKey], [token]);
            }
            _ = graph.SendTextAsync(message.From, reply);
            return Results.Ok();
        });
        await app.StartAsync();
        return new StitchedHandler(app, http, redis, app.Urls.First().TrimEnd('/'));
    }

    /// <summary>The lock store's acquire: <c>SET key token NX PX lease</c>, retried with a short backoff for at most <see cref="LockWait"/>.</summary>
    private static async Task<bool> AcquireAsync(IDatabase db, string lockKey, string token)
    {
        var until = DateTime.UtcNow + LockWait;
        for (var backoff = 1; ; backoff = Math.Min(backoff * 2, 50))
        {
            if (await db.StringSetAsync(lockKey, token, LockLease, When.NotExists)) return true;
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(backoff); // the lock store's own retry pacing, as in Rasa's lock store; not test synchronisation
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _graph.Dispose();
        await _redis.CloseAsync();
        _redis.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Signed WhatsApp webhooks per second through the real engine, against a do-nothing handler (verify, parse, 200, one
/// fixed reply) at the same concurrency in the same run. Each sender is one customer who waits for the reply before
/// writing again; every reply is checked to arrive exactly once.
/// <c>dotnet run -c Release --project bench -- webhooks [--senders 16] [--seconds 5] [--redis]</c>
/// </summary>
public sealed class WebhookBenchmark : IBenchmark
{
    private const string Secret = "bench-app-secret-0123";
    private const string NumberId = "109876543210";

    public string Name => "webhooks";

    public string Description => "signed WhatsApp webhooks/s and p99 ack latency: engine vs a do-nothing handler";

    public async Task<int> RunAsync(string[] args)
    {
        var senders = IntArg(args, "--senders", 16);
        var seconds = IntArg(args, "--seconds", 5);
        await using var graph = await GraphSink.StartAsync();
        Console.WriteLine($"webhooks: {senders} senders, {seconds} s per phase, Graph stand-in at {graph.BaseUrl}");

        await using (var baseline = await BaselineHandler.StartAsync(graph.BaseUrl))
        {
            var b = await Drive(baseline.BaseUrl, graph, senders, seconds, "base");
            Print("do-nothing handler", b);
        }
        graph.Reset();

        var settings = new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = Secret,
            ["WhatsApp:VerifyToken"] = "bench-verify",
            ["WhatsApp:AccessToken"] = "bench-token",
            ["WhatsApp:PhoneNumberId"] = NumberId,
            ["WhatsApp:ApiBaseUrl"] = graph.BaseUrl,
            ["WhatsApp:MaxSendsPerSecond"] = "1000",
            ["Outbox:Dispatcher:PollInterval"] = "00:00:00.200",
        };
        await using var redis = args.Contains("--redis") ? await RedisServer.StartAsync() : null;
        if (redis is not null) settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        Console.WriteLine($"engine store: {(redis is null ? "embedded file store (write-through)" : "redis-server")}");
        await using var silo = await SiloApp.StartAsync(settings, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        using var listener = ListenToWebhookMetrics();
        var e = await Drive(silo.BaseAddress.ToString().TrimEnd('/'), graph, senders, seconds, "engine");
        Print("engine (ingress → customer grain → outbox → Graph)", e);
        Console.WriteLine($"  where the time goes (per message, mean): engine turn {_engineTurn.Mean:F1} ms (n={_engineTurn.Count}), outbox enqueue {_outbox.Mean:F1} ms (n={_outbox.Count})");
        var ratio = e.Rate / Math.Max(1, BaselineRate);
        Console.WriteLine($"engine / do-nothing throughput: {ratio:P0}");
        return e.Lost == 0 && e.Duplicated == 0 ? 0 : 1;
    }

    private static double BaselineRate;

    private sealed class Average
    {
        private readonly Lock _lock = new();
        private double _sum;
        private long _count;
        public void Add(double v) { lock (_lock) { _sum += v; _count++; } }
        public double Mean => _count == 0 ? double.NaN : _sum / _count;
        public long Count => _count;
    }

    private static readonly Average _engineTurn = new();
    private static readonly Average _outbox = new();

    private static System.Diagnostics.Metrics.MeterListener ListenToWebhookMetrics()
    {
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Switchboard.Channels.WhatsApp.WhatsAppMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            (instrument.Name.EndsWith("engine_turn", StringComparison.Ordinal) ? _engineTurn : _outbox).Add(value));
        listener.Start();
        return listener;
    }

    private sealed record Result(int Sent, int Answered, int Lost, int Duplicated, double Rate, Percentiles Ack, Percentiles RoundTrip, int Errors);

    private static void Print(string label, Result r)
    {
        if (label.StartsWith("do-nothing", StringComparison.Ordinal)) BaselineRate = r.Rate;
        Console.WriteLine($"{label}:");
        Console.WriteLine($"  {r.Rate,8:F0} webhooks/s   sent {r.Sent}  answered {r.Answered}  lost {r.Lost}  duplicated {r.Duplicated}  errors {r.Errors}");
        Console.WriteLine($"  ack        {r.Ack.Summary()}");
        Console.WriteLine($"  round trip {r.RoundTrip.Summary()}");
    }

    private static async Task<Result> Drive(string baseUrl, GraphSink graph, int senders, int seconds, string tag)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders * 2 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        // Warm-up: one message per sender, not measured.
        await Task.WhenAll(Enumerable.Range(0, senders).Select(i => Exchange(http, graph, Wa(tag, i), $"wamid.{tag}.warm.{i}", $"warm {i}")));
        graph.Reset();
        var ack = new Percentiles();
        var roundTrip = new Percentiles();
        var sent = 0;
        var errors = 0;
        var texts = new ConcurrentBag<(string To, string Text)>();
        var stop = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async i =>
        {
            var wa = Wa(tag, i);
            for (var n = 0; stop.Elapsed < deadline; n++)
            {
                var text = $"hello from sender {i} message {n}";
                var (ok, ackTicks, rtTicks) = await Exchange(http, graph, wa, $"wamid.{tag}.{i}.{n}", text);
                Interlocked.Increment(ref sent);
                if (!ok) { Interlocked.Increment(ref errors); continue; }
                ack.Add(ackTicks);
                roundTrip.Add(rtTicks);
                texts.Add((wa, text));
            }
        }));
        var elapsed = stop.Elapsed.TotalSeconds;
        // Late duplicates would show up now: give the dispatcher one more sweep.
        await Task.Delay(500);
        var replies = graph.Replies();
        var lost = 0;
        var duplicated = 0;
        foreach (var (to, text) in texts)
        {
            var count = replies.TryGetValue((to, text), out var c) ? c : 0;
            if (count == 0) lost++;
            if (count > 1) duplicated++;
        }
        return new Result(sent, texts.Count, lost, duplicated, sent / elapsed, ack, roundTrip, errors);
    }

    private static string Wa(string tag, int i) => $"91990{(tag == "base" ? 1 : 2)}{i:D6}";

    private static async Task<(bool Ok, long Ack, long RoundTrip)> Exchange(HttpClient http, GraphSink graph, string wa, string id, string text)
    {
        var body = Encoding.UTF8.GetBytes(Webhook(wa, id, text));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        var waiter = graph.Expect(wa);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var acked = Stopwatch.GetTimestamp();
        if (!response.IsSuccessStatusCode) return (false, 0, 0);
        var replied = await Task.WhenAny(waiter, Task.Delay(TimeSpan.FromSeconds(10))) == waiter;
        return (replied, acked - start, Stopwatch.GetTimestamp() - start);
    }

    private static string Webhook(string wa, string id, string text) =>
        $$$"""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550100000","phone_number_id":"{{{NumberId}}}"},"contacts":[{"profile":{"name":"Bench"},"wa_id":"{{{wa}}}"}],"messages":[{"from":"{{{wa}}}","id":"{{{id}}}","timestamp":"{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}","type":"text","text":{"body":"{{{text}}}"}}]}}]}]}""";

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0 ? v : fallback;
    }

    /// <summary>The Graph API stand-in: counts each (recipient, echoed text) and wakes the sender waiting for its reply.</summary>
    private sealed class GraphSink : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
        private ConcurrentDictionary<(string, string), int> _replies = new();
        private int _counter;

        public string BaseUrl { get; private set; } = "";

        private GraphSink(WebApplication app) => _app = app;

        public static async Task<GraphSink> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var sink = new GraphSink(app);
            app.MapPost("/{version}/{number}/messages", async (HttpContext context) =>
            {
                using var doc = await JsonDocument.ParseAsync(context.Request.Body);
                var to = doc.RootElement.GetProperty("to").GetString()!;
                var text = doc.RootElement.TryGetProperty("text", out var t) ? t.GetProperty("body").GetString() ?? "" : "";
                // The echo engine says "You said: <text>."; the baseline says "ok <text>".
                var heard = text.StartsWith("You said: ", StringComparison.Ordinal) ? text[10..].TrimEnd('.') : text.StartsWith("ok ", StringComparison.Ordinal) ? text[3..] : text;
                sink._replies.AddOrUpdate((to, heard), 1, (_, c) => c + 1);
                if (sink._waiting.TryRemove(to, out var waiter)) waiter.TrySetResult();
                return Results.Json(new { messaging_product = "whatsapp", messages = new[] { new { id = $"wamid.sink.{Interlocked.Increment(ref sink._counter)}" } } });
            });
            await app.StartAsync();
            sink.BaseUrl = app.Urls.First().TrimEnd('/');
            return sink;
        }

        public Task Expect(string to)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[to] = tcs;
            return tcs.Task;
        }

        public IReadOnlyDictionary<(string, string), int> Replies() => _replies;

        public void Reset() => _replies = new();

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The do-nothing handler: verify the signature, parse, answer 200, send one fixed reply.</summary>
    private sealed class BaselineHandler : IAsyncDisposable
    {
        private readonly WebApplication _app;

        public string BaseUrl { get; private set; } = "";

        private BaselineHandler(WebApplication app) => _app = app;

        public static async Task<BaselineHandler> StartAsync(string graphBaseUrl)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddHttpClient("graph", c => c.BaseAddress = new Uri(graphBaseUrl));
            var app = builder.Build();
            var key = Encoding.UTF8.GetBytes(Secret);
            app.MapPost("/webhooks/whatsapp", async (HttpContext context, IHttpClientFactory factory) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var body = buffer.ToArray();
                var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));
                if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(context.Request.Headers["X-Hub-Signature-256"].ToString())))
                    return Results.Unauthorized();
                var message = JsonNode.Parse(body)!["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!;
                var from = message["from"]!.ToString();
                var text = message["text"]!["body"]!.ToString();
                _ = Task.Run(async () =>
                {
                    var reply = new JsonObject { ["messaging_product"] = "whatsapp", ["to"] = from, ["type"] = "text", ["text"] = new JsonObject { ["body"] = "ok " + text } };
                    using var r = await factory.CreateClient("graph").PostAsync($"/v21.0/{NumberId}/messages", new StringContent(reply.ToJsonString(), Encoding.UTF8, "application/json"));
                });
                return Results.Ok();
            });
            await app.StartAsync();
            var handler = new BaselineHandler(app) { BaseUrl = app.Urls.First().TrimEnd('/') };
            return handler;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

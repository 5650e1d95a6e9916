using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Switchboard.Channels.WhatsApp;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Overload;

/// <summary>What one phase of webhook traffic came to: served (200) with latencies, refused (503/429) with or without Retry-After, anything else.</summary>
public sealed class PhaseResult(string name, TimeSpan duration)
{
    public string Name { get; } = name;
    public TimeSpan Duration { get; set; } = duration;
    public Percentiles Served { get; } = new();
    public int Refused;
    public int RefusedWithoutRetryAfter;
    public int Failed;
    public int Offered => Served.Count + Refused + Failed;
    public double ServedPerSecond => Served.Count / Duration.TotalSeconds;
}

/// <summary>
/// Signed WhatsApp webhooks (one text message each, a unique wamid) from a pool of senders, against a running engine.
/// Records, per sender, the message ids the engine acknowledged and the ones it refused, so the benchmark can redeliver
/// the refused ones as Meta would and then check that each sender's customer holds exactly its messages.
/// </summary>
public sealed class WebhookTraffic(Uri engine, string appSecret, string senderPrefix, int senders) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 4096, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = engine,
        Timeout = TimeSpan.FromSeconds(60),
    };
    private long _next;

    public ConcurrentDictionary<string, int> AcknowledgedBySender { get; } = new();
    public ConcurrentQueue<(string Sender, string MessageId)> RefusedMessages { get; } = new();

    public string Sender(long n) => senderPrefix + (n % senders).ToString("D4");

    /// <summary>Posts one new message; returns its outcome into <paramref name="phase"/>.</summary>
    public Task SendNewAsync(PhaseResult phase)
    {
        var n = Interlocked.Increment(ref _next);
        return SendAsync(Sender(n), $"wamid.ovl.{senderPrefix}.{n}", phase);
    }

    public async Task<bool> SendAsync(string sender, string messageId, PhaseResult? phase)
    {
        var json = WhatsAppWebhookPost.Text(sender, messageId, "where is my bag");
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WhatsAppSignature.Header, WhatsAppSignature.Sign(appSecret, bytes));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request);
            var ticks = Stopwatch.GetTimestamp() - started;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                AcknowledgedBySender.AddOrUpdate(sender, 1, (_, c) => c + 1);
                phase?.Served.Add(ticks);
                return true;
            }
            if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
            {
                if (phase is not null)
                {
                    Interlocked.Increment(ref phase.Refused);
                    if (response.Headers.RetryAfter is null) Interlocked.Increment(ref phase.RefusedWithoutRetryAfter);
                }
                RefusedMessages.Enqueue((sender, messageId));
                return false;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
        if (phase is not null) Interlocked.Increment(ref phase.Failed);
        RefusedMessages.Enqueue((sender, messageId));
        return false;
    }

    /// <summary>A closed loop: <paramref name="workers"/> senders, each posting its next message when the last is answered.</summary>
    public async Task<PhaseResult> ClosedLoopAsync(string name, int workers, TimeSpan duration)
    {
        var phase = new PhaseResult(name, duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await Task.Yield();
            while (clock.Elapsed < duration) await SendNewAsync(phase);
        }));
        phase.Duration = clock.Elapsed;
        return phase;
    }

    /// <summary>An open loop: new messages at <paramref name="perSecond"/>, whether or not earlier ones were answered (how providers deliver).</summary>
    public async Task<PhaseResult> OpenLoopAsync(string name, double perSecond, TimeSpan duration)
    {
        var phase = new PhaseResult(name, duration);
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        long started = 0;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * perSecond);
            for (; started < due; started++) inFlight.Add(SendNewAsync(phase));
            if (inFlight.Count > 10_000) inFlight.RemoveAll(t => t.IsCompleted);
            // Pacing tick, not synchronisation: the loop releases the messages due by now.
            await Task.Delay(2);
        }
        await Task.WhenAll(inFlight);
        return phase;
    }

    /// <summary>Redelivers every refused message until it is acknowledged, as a provider does (closed loop, <paramref name="workers"/> at a time).</summary>
    public async Task<int> RedeliverRefusedAsync(int workers, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var redelivered = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await Task.Yield();
            while (clock.Elapsed < within && RefusedMessages.TryDequeue(out var m))
            {
                if (await SendAsync(m.Sender, m.MessageId, null)) Interlocked.Increment(ref redelivered);
                // A refused redelivery went back on the queue inside SendAsync: wait as Retry-After asks, briefly.
                else await Task.Delay(50);
            }
        }));
        return redelivered;
    }

    public void Dispose() => _http.Dispose();
}

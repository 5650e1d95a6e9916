using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// Customers writing on WhatsApp through a cluster's gateways, one closed loop each: a signed webhook with a text of its
/// own (<c>note {turn} of {customer}</c>), posted until a gateway acknowledges it (200 naming the message), retried with
/// the same message id on the next gateway after a failure, as Meta retries. Records every acknowledged text, when, and
/// the statuses of failed attempts, for the exactly-once check against the transcripts (<see cref="Transcripts"/>).
/// </summary>
public sealed class WebhookLoad : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<Uri>> _gateways;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Turns one WhatsApp number writes before its loop moves to a fresh number: the transcript keeps the last 200 turns, replies included.</summary>
    public const int TurnsPerNumber = 60;

    public int Customers { get; }
    /// <summary>Per customer loop: (WhatsApp number, text, time acknowledged) of every acknowledged turn, in order.</summary>
    public ConcurrentDictionary<int, ConcurrentQueue<(string WaId, string Text, DateTime At)>> Acked { get; } = new();
    public ConcurrentQueue<(HttpStatusCode? Status, string? RetryAfter, string Body, DateTime At)> Failures { get; } = new();
    /// <summary>Post to acknowledgement, retries included, in milliseconds.</summary>
    public ConcurrentBag<double> LatencyMs { get; } = [];

    public double LatencyPercentile(double p)
    {
        var sorted = LatencyMs.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private readonly string _prefix;

    public WebhookLoad(int customers, Func<IReadOnlyList<Uri>> gateways, string prefix)
    {
        Customers = customers;
        _prefix = prefix;
        _gateways = gateways;
        for (var c = 0; c < customers; c++)
        {
            Acked[c] = new();
            var customer = c;
            _loops.Add(Task.Run(() => Loop(customer, prefix)));
        }
    }

    /// <summary>A valid Indian mobile number per customer loop and generation of this load.</summary>
    public static string WaId(string prefix, int customer, int generation) => $"9198{prefix}{generation:D2}{customer:D4}";

    private async Task Loop(int customer, string prefix)
    {
        for (var turn = 0; !_stop.IsCancellationRequested; turn++)
        {
            var wa = WaId(prefix, customer, turn / TurnsPerNumber);
            var text = $"note {turn} of {customer}";
            var messageId = $"wamid.cluster.{prefix}.{customer}.{turn}";
            var json = WhatsAppWebhookPost.Text(wa, messageId, text);
            var started = Stopwatch.GetTimestamp();
            for (var attempt = customer; !_stop.IsCancellationRequested; attempt++)
            {
                var gateways = _gateways();
                var gateway = gateways[attempt % gateways.Count];
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "webhooks/whatsapp")) { Content = Signed(json, out var signature) };
                    request.Headers.Add("X-Hub-Signature-256", signature);
                    using var response = await _http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && Handled(body))
                    {
                        Acked[customer].Enqueue((wa, text, DateTime.UtcNow));
                        LatencyMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        break;
                    }
                    Failures.Enqueue((response.StatusCode, response.Headers.RetryAfter?.ToString(), body, DateTime.UtcNow));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Failures.Enqueue((null, null, e.GetType().Name, DateTime.UtcNow));
                }
                // The retry interval of a webhook sender, not synchronisation.
                await Task.Delay(200);
            }
        }
    }

    private static ByteArrayContent Signed(string json, out string signature)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        signature = Channels.WhatsApp.WhatsAppSignature.Sign(ClusterSettings.AppSecret, bytes);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>The webhook's answer counts the message, processed now or before (<c>duplicates</c>: a retry whose first answer was lost), and not rejected.</summary>
    private static bool Handled(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("messages").GetInt32() == 1 && doc.RootElement.GetProperty("rejected").GetInt32() == 0;
    }

    public int AckedCount(int customer) => Acked[customer].Count;

    public int AckedSince(int customer, DateTime since) => Acked[customer].Count(a => a.At > since);

    /// <summary>The longest time a customer went without an acknowledgement across <paramref name="at"/>: its last one before to its first one after.</summary>
    public TimeSpan LongestPauseAcross(DateTime at) => Enumerable.Range(0, Customers).Max(c =>
    {
        var before = Acked[c].Where(a => a.At <= at).Select(a => a.At).DefaultIfEmpty(at).Max();
        var after = Acked[c].Where(a => a.At > at).Select(a => a.At).DefaultIfEmpty(DateTime.UtcNow).Min();
        return after - before;
    });

    /// <summary>Stops the loops; a turn in flight finishes its current attempt.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}

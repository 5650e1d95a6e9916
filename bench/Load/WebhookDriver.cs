using System.Diagnostics;
using Switchboard.Bench.Webhooks;

namespace Switchboard.Bench.Load;

/// <summary>
/// Signed WhatsApp webhooks (<see cref="SignedWebhook"/>) in closed loops: each sender owns its customers and posts one
/// turn at a time, spread over the target's HTTP addresses; a turn's latency runs from the post to its reply at the Graph
/// stand-in. A failed post (5xx, refused, timed out) is retried with the same message id on the next address, as Meta
/// retries, so every turn is eventually acknowledged; the end compares replies per customer with turns acknowledged.
/// </summary>
public sealed class WebhookDriver(GraphStandIn graph, int senders, int customersPerSender, int targetDigit)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, int> _acked = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _unanswered = new();

    /// <summary>Message ids of acknowledged turns whose reply did not arrive within the reply timeout (the sender moved on).</summary>
    public IReadOnlyCollection<string> Unanswered => _unanswered;

    public ChannelStats Stats { get; } = new("whatsapp");

    public async Task RunAsync(LoadTarget target, Stopwatch clock, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() => Sender(http, target, s, clock, stop))));
    }

    private async Task Sender(HttpClient http, LoadTarget target, int sender, Stopwatch clock, CancellationToken stop)
    {
        var turn = 0;
        while (!stop.IsCancellationRequested)
        {
            var customer = turn % customersPerSender;
            var wa = $"9199{targetDigit}{sender:D3}{customer:D4}";
            var messageId = $"wamid.load.{targetDigit}.{sender}.{turn}";
            var text = Webhooks.LoadShape.Texts[turn % Webhooks.LoadShape.Texts.Length];
            var replied = graph.Expect(wa);
            var start = Stopwatch.GetTimestamp();
            if (!await PostUntilAcked(http, target, sender + turn, wa, messageId, text))
            {
                turn++;
                continue;
            }
            lock (_acked) _acked[wa] = _acked.GetValueOrDefault(wa) + 1;
            try
            {
                var arrived = await replied.WaitAsync(ReplyTimeout);
                Stats.Answered(arrived - start, clock.Elapsed.TotalSeconds);
            }
            catch (TimeoutException)
            {
                _unanswered.Enqueue(messageId);
                Stats.Failed();
            }
            turn++;
        }
    }

    /// <summary>Posts until a 2xx, moving to the next address after each failure, for at most <see cref="RetryFor"/>.</summary>
    private async Task<bool> PostUntilAcked(HttpClient http, LoadTarget target, int first, string wa, string messageId, string text)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(RetryFor.TotalSeconds * Stopwatch.Frequency);
        for (var attempt = 0; ; attempt++)
        {
            var baseUrl = target.Http[(first + attempt) % target.Http.Count];
            using var request = SignedWebhook.Request(wa, messageId, text);
            request.RequestUri = new Uri(baseUrl, request.RequestUri!.ToString());
            try
            {
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode) return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            Stats.Failed();
            if (Stopwatch.GetTimestamp() > deadline) return false;
            Stats.Retried();
            await Task.Delay(250);
        }
    }

    /// <summary>After the run: waits (bounded) for owed replies, then counts turns acknowledged but never answered, and answered twice.</summary>
    public async Task AccountAsync()
    {
        int total;
        lock (_acked) total = _acked.Values.Sum();
        await graph.WaitForTotalAsync(total, ReplyTimeout);
        await Task.Delay(TimeSpan.FromSeconds(2));
        long lost = 0, duplicated = 0;
        lock (_acked)
            foreach (var (wa, acked) in _acked)
            {
                var got = graph.CountFor(wa);
                if (got < acked) lost += acked - got;
                if (got > acked) duplicated += got - acked;
            }
        Stats.Lost = lost;
        Stats.Duplicated = duplicated;
    }
}

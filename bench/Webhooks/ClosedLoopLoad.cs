using System.Diagnostics;
using System.Threading.Channels;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// Drives one peer with the <see cref="LoadShape"/>: a queue of (customer, turn); each of the senders takes the next,
/// posts the signed webhook, waits for the 200 (ack latency) and then for the customer's reply at the Graph stand-in
/// (reply latency, from the post), and queues the customer's next turn at the back. Customers therefore interleave
/// and none has two messages in flight. Every wait is bounded: a reply by <see cref="LoadShape.ReplyTimeout"/> (the
/// customer then stops), the whole phase by <see cref="LoadShape.MaxSeconds"/>.
/// </summary>
public sealed class ClosedLoopLoad(LoadShape shape, GraphStandIn graph)
{
    private sealed class Counts
    {
        public int Errors, TimedOut;
    }

    /// <param name="peerDigit">1–9: makes this peer's customers' numbers its own, so no two peers share a customer.</param>
    /// <param name="measuring">Called when the measured phase starts (after the warm-up).</param>
    public async Task<PeerRun> RunAsync(IWebhookPeer peer, int peerDigit, Action? measuring = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = shape.Senders, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(peer.BaseUrl),
            Timeout = shape.ReplyTimeout,
        };

        // Warm-up (JIT, connections, first activations): its own customers, one turn each, not measured.
        var warm = await Phase(http, peerDigit, 0, shape.WarmupCustomers, 1, new Percentiles(), new Percentiles());
        if (warm.Acked != shape.WarmupCustomers)
            Console.WriteLine($"  warm-up: {warm.Acked}/{shape.WarmupCustomers} answered, {warm.Counts.Errors} errors, {warm.Counts.TimedOut} without a reply in time");
        await graph.WaitForTotalAsync(warm.Acked, shape.ReplyTimeout);
        graph.Reset();

        var ack = new Percentiles();
        var reply = new Percentiles();
        measuring?.Invoke();
        var probe = new ProcessCost.Probe();
        var run = await Phase(http, peerDigit, 1, shape.Customers, shape.Turns, ack, reply);
        var cost = probe.Stop(run.Acked);

        // Replies still owed (a customer that timed out) get one more bounded wait; then a short quiet window in
        // which a late duplicate would be counted. Neither orders anything: they only bound what is observed.
        await graph.WaitForTotalAsync(run.Acked, shape.ReplyTimeout);
        await Task.Delay(shape.Settle);
        var first = graph.FirstReply ?? "(none)";
        Console.WriteLine($"  first reply seen: \"{(first.Length > 90 ? first[..90] + "…" : first)}\"");
        var lost = 0;
        var duplicated = 0;
        for (var c = 0; c < shape.Customers; c++)
        {
            var expected = run.AckedPerCustomer[c];
            var got = graph.CountFor(Wa(peerDigit, 1, c));
            if (got < expected) lost += expected - got;
            if (got > expected) duplicated += got - expected;
        }
        graph.Reset();
        return new PeerRun(peer.Key, peer.Label, run.Acked, run.Counts.Errors, lost, duplicated, run.Complete, run.Seconds, ack, reply, cost);
    }

    private sealed record PhaseResult(int Acked, int[] AckedPerCustomer, Counts Counts, bool Complete, double Seconds);

    private async Task<PhaseResult> Phase(HttpClient http, int peerDigit, int phase, int customers, int turns, Percentiles ack, Percentiles reply)
    {
        var queue = Channel.CreateUnbounded<(int Customer, int Turn)>();
        for (var c = 0; c < customers; c++) queue.Writer.TryWrite((c, 0));
        var remaining = customers * turns;
        var ackedPerCustomer = new int[customers];
        var counts = new Counts();
        using var bound = new CancellationTokenSource(shape.MaxSeconds);
        var stopwatch = Stopwatch.StartNew();

        void Done(int items)
        {
            if (Interlocked.Add(ref remaining, -items) == 0) queue.Writer.TryComplete();
        }

        async Task Sender()
        {
            try
            {
                await foreach (var (c, t) in queue.Reader.ReadAllAsync(bound.Token))
                {
                    // ReadAllAsync only sees the token while the queue is empty; a full queue must be cut here.
                    if (bound.IsCancellationRequested) break;
                    var wa = Wa(peerDigit, phase, c);
                    var text = LoadShape.Texts[(c + t) % LoadShape.Texts.Length];
                    var outcome = await Exchange(http, wa, $"wamid.bench.{peerDigit}.{phase}.{c}.{t}", text);
                    switch (outcome.Kind)
                    {
                        case OutcomeKind.Replied:
                            Interlocked.Increment(ref ackedPerCustomer[c]);
                            ack.Add(outcome.Ack);
                            reply.Add(outcome.Reply);
                            if (t + 1 < turns) queue.Writer.TryWrite((c, t + 1));
                            Done(1);
                            break;
                        case OutcomeKind.AckedNoReply:
                            // Acknowledged but unanswered in time: the customer stops (closed loop) and the end counts it.
                            Interlocked.Increment(ref ackedPerCustomer[c]);
                            Interlocked.Increment(ref counts.TimedOut);
                            ack.Add(outcome.Ack);
                            Done(turns - t);
                            break;
                        default:
                            Interlocked.Increment(ref counts.Errors);
                            Done(turns - t);
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                // --seconds reached: the phase ends incomplete.
            }
        }

        await Task.WhenAll(Enumerable.Range(0, shape.Senders).Select(_ => Task.Run(Sender)));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return new PhaseResult(ackedPerCustomer.Sum(), ackedPerCustomer, counts, !bound.IsCancellationRequested, seconds);
    }

    private enum OutcomeKind { Replied, AckedNoReply, Failed }

    private readonly record struct Outcome(OutcomeKind Kind, long Ack, long Reply);

    private async Task<Outcome> Exchange(HttpClient http, string wa, string messageId, string text)
    {
        using var request = SignedWebhook.Request(wa, messageId, text);
        var replied = graph.Expect(wa);
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            var acked = Stopwatch.GetTimestamp();
            if (!response.IsSuccessStatusCode) return new Outcome(OutcomeKind.Failed, 0, 0);
            try
            {
                var arrived = await replied.WaitAsync(shape.ReplyTimeout);
                return new Outcome(OutcomeKind.Replied, acked - start, arrived - start);
            }
            catch (TimeoutException)
            {
                return new Outcome(OutcomeKind.AckedNoReply, acked - start, 0);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Outcome(OutcomeKind.Failed, 0, 0);
        }
    }

    /// <summary>A valid Indian mobile number per (peer, phase, customer): 91 99 p f nnnnnn.</summary>
    public static string Wa(int peerDigit, int phase, int customer) => $"9199{peerDigit}{phase}{customer:D6}";
}

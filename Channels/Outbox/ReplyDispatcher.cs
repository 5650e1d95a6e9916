using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// Sends the replies that customer grains record with their turns. A channel hands a reply over the moment its turn
/// returns (no queue to poll, no second write before the webhook is answered); the dispatcher renders it, sends it from
/// memory (retrying with the outbox's backoff), records what happened in the recipient's outbox shard (listing,
/// delivery receipts, the 24-hour window) and tells the customer the reply is handed off: those two writes come after
/// the send and share the journal's group commits. One recipient's replies go in order. After a restart, every
/// customer whose journal says a reply is pending is asked for it, and what the shard already holds is not sent twice.
/// The grain calls go through <see cref="OutboxCalls"/>: when the silo holding the shard or the customer dies mid-call,
/// the call is made again on the survivor that re-activates the grain; the writes made after a send (the shard's record,
/// the hand-off) are never given up while the dispatcher runs (deferred and logged past the budget), so the reply is not
/// left pending and sent again by a later resume.
/// </summary>
public sealed class ReplyDispatcher(
    IGrainFactory grains,
    IEnumerable<IOutboundChannel> channels,
    IEnumerable<IReplyRenderer> renderers,
    OutboxPolicy policy,
    TimeProvider time,
    ILogger<ReplyDispatcher> logger,
    RecipientSeal recipients,
    OutboxCalls? outboxCalls = null) : BackgroundService
{
    private readonly OutboxCalls _calls = outboxCalls ?? new OutboxCalls(time: time);
    private readonly Dictionary<Channel, IOutboundChannel> _channels = channels.GroupBy(c => c.Channel).ToDictionary(g => g.Key, g => g.Last());
    private readonly Dictionary<Channel, IReplyRenderer> _renderers = renderers.GroupBy(r => r.Channel).ToDictionary(g => g.Key, g => g.Last());
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    // One reference per outbox shard, made once: GetGrain builds a new proxy every time, and an IOutboxGrain proxy
    // creates its argument copiers through ActivatorUtilities in its constructor (measured ~1.5 % of a webhook's CPU).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IOutboxGrain> _shards = new(StringComparer.Ordinal);
    private CancellationToken _stopping;
    private const int ResumeParallelism = 32;

    /// <summary>Replies handed over and not yet recorded in their outbox.</summary>
    public int InFlight { get { lock (_lock) return _inFlight.Count; } }

    /// <summary>
    /// Takes a reply (once: a second hand-over of the same reply joins the first); the task completes when it is recorded
    /// in its channel's outbox. <paramref name="resumed"/>: it may have been sent before (a restart, a redelivery), so
    /// parts the outbox already holds are not sent again.
    /// </summary>
    public Task Submit(OutboxEntry reply, bool resumed = false)
    {
        // The turn's trace (the webhook's request, when traced) goes with the reply, in memory only: its send is part of it.
        var trace = Activity.Current?.Context ?? default;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_lock)
        {
            if (_inFlight.TryGetValue(reply.Id, out var running)) return running;
            var recipient = reply.Message.Recipient;
            previous = _tails.TryGetValue(recipient, out var tail) ? tail : Task.CompletedTask;
            _tails[recipient] = done.Task;
            _inFlight[reply.Id] = done.Task;
        }
        _ = Run(reply, resumed, trace, previous, done);
        return done.Task;
    }

    private async Task Run(OutboxEntry reply, bool resumed, ActivityContext trace, Task previous, TaskCompletionSource done)
    {
        // One recipient's replies go in order; an earlier failure is that reply's own.
        try { await previous.ConfigureAwait(false); } catch (Exception) { }
        try
        {
            // A span in the turn's trace (none for a reply resumed after a restart): the provider's HTTP call is its child.
            using (var send = trace == default ? null : ChannelTracing.Source.StartActivity(ChannelTracing.ReplySend, ActivityKind.Internal, trace))
            {
                send?.SetTag("switchboard.channel", reply.Message.Channel.ToWire());
                await HandOff(reply, resumed).ConfigureAwait(false);
            }
            done.TrySetResult();
        }
        catch (Exception e)
        {
            logger.LogWarning("Reply {EntryId} not handed off: {Error}; it stays pending with its customer", reply.Id, e.GetType().Name);
            done.TrySetException(e);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(reply.Id);
                if (_tails.TryGetValue(reply.Message.Recipient, out var tail) && tail == done.Task) _tails.Remove(reply.Message.Recipient);
            }
        }
    }

    private async Task HandOff(OutboxEntry reply, bool resumed)
    {
        var m = reply.Message;
        if (!_renderers.TryGetValue(m.Channel, out var renderer) || !_channels.TryGetValue(m.Channel, out var channel))
            throw new InvalidOperationException($"No outbound {m.Channel.ToWire()} channel here for reply {reply.Id}.");
        var parts = renderer.Render(m);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var shard = Shard(OutboxKeys.Shard(m.Channel, recipients.Open(part.Recipient), policy.Shards));
            if (resumed && await Has(shard, part.IdempotencyKey, $"{reply.Id}-{i}")) continue;
            var entry = new OutboxEntry
            {
                Id = $"{reply.Id}-{i}",
                Message = part,
                CreatedAt = reply.CreatedAt,
                UpdatedAt = reply.CreatedAt,
                NextAttemptAt = reply.CreatedAt,
                Status = OutboxStatus.Queued,
            };
            entry.History.Add(new StatusMark(OutboxStatus.Queued, reply.CreatedAt));
            switch (part.Delivery)
            {
                case OutboundDelivery.Dispatch:
                    await Send(channel, entry);
                    break;
                default:
                    Mark(entry, part.Delivery == OutboundDelivery.LocalOnly ? OutboxStatus.Local : OutboxStatus.Sent, null);
                    break;
            }
            // Sent: the record must land (a resume sends what its shard does not hold), on whichever silo holds the shard now.
            await _calls.UntilDoneAsync(() => shard.Record(entry), $"record {entry.Id}", _stopping);
        }
        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(m.Tenant, m.CustomerId));
        await _calls.UntilDoneAsync(() => customer.ReplyHandedOff(reply.Id), $"hand-off {reply.Id}", _stopping);
    }

    /// <summary>The shard's grain reference (shards are few: <see cref="OutboxPolicy.Shards"/> per channel).</summary>
    private IOutboxGrain Shard(string key) =>
        _shards.TryGetValue(key, out var shard) ? shard : _shards.GetOrAdd(key, grains.GetGrain<IOutboxGrain>(key));

    /// <summary>
    /// Whether the shard already holds a part of a redelivered reply, asked again while its silo cannot be reached (a silo
    /// just died and the shard is activated again on a survivor once it is declared dead): this check comes before the
    /// send, so it is deferred rather than given up (giving up would leave the reply unsent until the next start).
    /// </summary>
    private async Task<bool> Has(IOutboxGrain shard, string idempotencyKey, string entryId)
    {
        var has = false;
        await _calls.UntilDoneAsync(async () => has = await shard.Has(idempotencyKey), $"has {entryId}", _stopping);
        return has;
    }

    /// <summary>Attempts until the provider accepts or refuses, or the outbox's attempts run out.</summary>
    private async Task Send(IOutboundChannel channel, OutboxEntry entry)
    {
        while (true)
        {
            SendOutcome outcome;
            try
            {
                outcome = await channel.SendAsync(entry, _stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                outcome = SendOutcome.Retry(e.GetType().Name);
            }
            entry.Attempts++;
            switch (outcome.Result)
            {
                case SendResult.Sent:
                    entry.ProviderMessageId = outcome.ProviderMessageId;
                    Mark(entry, OutboxStatus.Sent, null);
                    return;
                case SendResult.Retry when entry.Attempts < policy.MaxAttempts:
                    entry.LastError = outcome.Error;
                    var delay = outcome.RetryAfter is { } ra && ra > policy.Backoff(entry.Attempts) ? ra : policy.Backoff(entry.Attempts);
                    logger.LogWarning("Reply {EntryId} attempt {Attempt} failed ({Error}); retrying in {Delay}", entry.Id, entry.Attempts, outcome.Error, delay);
                    await Task.Delay(delay, time, _stopping);
                    break;
                default:
                    entry.LastError = outcome.Error;
                    Mark(entry, OutboxStatus.Failed, outcome.Error);
                    logger.LogWarning("Reply {EntryId} failed after {Attempts} attempts: {Error}", entry.Id, entry.Attempts, outcome.Error);
                    return;
            }
        }
    }

    private void Mark(OutboxEntry entry, OutboxStatus status, string? detail)
    {
        var now = time.GetUtcNow();
        entry.Status = status;
        entry.UpdatedAt = now;
        entry.History.Add(new StatusMark(status, now, detail));
    }

    /// <summary>Resumes the replies a crash or a stop left pending (the silo lists the customers that have some).</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await Task.Yield();
        IReadOnlyList<string> customers;
        try
        {
            customers = await grains.GetGrain<IPendingRepliesGrain>(0).Customers();
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("Replies left pending by the last stop not resumed: {Error}", e.GetType().Name);
            return;
        }
        // Customers are asked in parallel: after a crash the list holds every customer whose hand-off was not yet
        // written (most of them answer with nothing), and each answer activates the customer.
        var resumed = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = ResumeParallelism, CancellationToken = stoppingToken };
        try
        {
            await Parallel.ForEachAsync(customers, options, async (key, cancellation) =>
            {
                var (_, customerId) = GrainKeys.ParseCustomer(key);
                try
                {
                    foreach (var reply in await grains.GetGrain<ICustomerGrain>(key).PendingReplies())
                    {
                        _ = Submit(reply, resumed: true);
                        Interlocked.Increment(ref resumed);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Pending replies of customer {CustomerId} not resumed: {Error}", customerId, e.GetType().Name);
                }
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        if (resumed > 0) logger.LogInformation("Resumed {Count} replies left pending by the last stop", resumed);
    }
}

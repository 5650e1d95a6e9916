using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// Sends what the outbox holds: at once for shards the <see cref="OutboxSignal"/> names, and every poll interval for
/// every shard (retries whose backoff ran out, messages enqueued on another silo, work left by a crash).
/// One recipient's messages go in order; different recipients go in parallel. Shard calls go through
/// <see cref="OutboxCalls"/>: a sweep whose shard's silo died is made again on the survivor that re-activates it, and the
/// outcome of a send (<c>Complete</c>) is never given up while the dispatcher runs (deferred and logged past the budget).
/// The shard keeps a taken message's lease in its journal, so a shard re-activated elsewhere does not hand a message out
/// again while the dispatcher that took it may still be sending it or recording its outcome.
/// </summary>
public sealed class OutboxDispatcher(
    IGrainFactory grains,
    IEnumerable<IOutboundChannel> channels,
    IEnumerable<IOutboxAdmission> admissions,
    OutboxPolicy policy,
    OutboxSignal signal,
    DispatcherOptions options,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger,
    OutboxCalls? outboxCalls = null) : BackgroundService
{
    private readonly OutboxCalls _calls = outboxCalls ?? new OutboxCalls(time: time);
    private readonly Dictionary<Channel, IOutboundChannel> _channels = channels.GroupBy(c => c.Channel).ToDictionary(g => g.Key, g => g.Last());
    private readonly IOutboxAdmission? _admission = admissions.LastOrDefault();
    // One reference per shard, made once: every sweep visits every shard, and GetGrain builds a new IOutboxGrain proxy
    // each time, whose constructor creates its argument copiers through ActivatorUtilities.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IOutboxGrain> _shards = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the silo finish starting before the first sweep.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            bool woken;
            try
            {
                woken = await signal.WaitAsync(options.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var shards = woken ? signal.TakeDirty() : AllShards();
            try
            {
                await Task.WhenAll(shards.Select(s => DrainAsync(s, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The silo may be starting or stopping; the next sweep tries again.
                logger.LogWarning("Outbox sweep failed: {Error}", e.GetType().Name);
            }
        }
    }

    private List<string> AllShards()
    {
        var keys = new List<string>();
        // Channels without provider credentials keep everything local: nothing to send, no shard to visit.
        foreach (var channel in _channels.Values.Where(c => c.Delivery == OutboundDelivery.Dispatch))
            for (var i = 0; i < policy.Shards; i++) keys.Add(OutboxKeys.Shard(channel.Channel, i));
        return keys;
    }

    private async Task DrainAsync(string shardKey, CancellationToken ct)
    {
        var slash = shardKey.IndexOf('/');
        if (!ChannelNames.TryParse(shardKey[..slash], out var channelKind) || !_channels.TryGetValue(channelKind, out var channel)
            || channel.Delivery != OutboundDelivery.Dispatch) return;
        var shard = _shards.TryGetValue(shardKey, out var known) ? known : _shards.GetOrAdd(shardKey, grains.GetGrain<IOutboxGrain>(shardKey));
        while (!ct.IsCancellationRequested)
        {
            // Made again after a silo loss: what the lost call leased is due again when its lease runs out.
            var due = await _calls.CallAsync(() => shard.TakeDue(options.BatchSize, options.Lease), $"take-due {shardKey}", ct);
            if (due.Count == 0) return;
            var held = new System.Collections.Concurrent.ConcurrentBag<HeldEntry>();
            await Task.WhenAll(due.GroupBy(e => e.Message.Recipient).Select(async group =>
            {
                DateTimeOffset? until = null;
                foreach (var entry in group)
                {
                    // Pacing may hold a message; the recipient's later messages wait behind it, so their order holds.
                    if (until is null && _admission is not null) until = await _admission.AdmitAsync(entry, ct);
                    if (until is { } at)
                    {
                        held.Add(new HeldEntry(entry.Id, at));
                        continue;
                    }
                    SendOutcome outcome;
                    try
                    {
                        outcome = await channel.SendAsync(entry, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        outcome = SendOutcome.Retry(e.GetType().Name);
                    }
                    _admission?.Done(entry, outcome);
                    // The provider may have taken it: the outcome must land, on whichever silo holds the shard now.
                    await _calls.UntilDoneAsync(() => shard.Complete(entry.Id, outcome), $"complete {entry.Id}", ct);
                }
            }));
            // Held messages go back in one call per batch, due again when pacing has room; the next batch reaches what is behind them.
            if (!held.IsEmpty) await _calls.CallAsync(() => shard.Release([.. held]), $"release {shardKey}", ct);
            if (due.Count < options.BatchSize) return;
        }
    }
}

/// <summary>
/// Paces what the dispatcher sends (journeys register one: their share of a channel's capacity, calls per second and
/// concurrent calls). Null from <see cref="AdmitAsync"/>: send now, and <see cref="Done"/> follows the attempt with its outcome; a time:
/// the message goes back to its shard unsent, due again then.
/// </summary>
public interface IOutboxAdmission
{
    ValueTask<DateTimeOffset?> AdmitAsync(OutboxEntry entry, CancellationToken cancellationToken);

    void Done(OutboxEntry entry, SendOutcome outcome);
}

/// <summary>Section <c>Outbox:Dispatcher</c>.</summary>
public sealed class DispatcherOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; set; } = 64;
    /// <summary>How long a taken message is reserved for this dispatcher before another may try it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);
}

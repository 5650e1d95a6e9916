using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Grains.Outbox;

/// <summary>
/// Reentrant so concurrent calls share one storage write (group commit): state changes happen synchronously between
/// awaits, and every caller returns only after a write that includes its change has completed.
/// </summary>
[Reentrant]
public sealed class OutboxGrain(
    [PersistentState("outbox", StorageNames.Main)] IPersistentState<OutboxState> state,
    OutboxPolicy policy,
    TimeProvider time,
    ILogger<OutboxGrain> logger) : Grain, IOutboxGrain
{
    private readonly Dictionary<string, OutboxEntry> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxEntry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxEntry> _byProviderId = new(StringComparer.Ordinal);

    private OutboxState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var e in S.Entries) Index(e);
        return Task.CompletedTask;
    }

    public async Task<EnqueueResult> Enqueue(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.IdempotencyKey) || message.IdempotencyKey.Length > 300)
            throw new ArgumentException("An outbound message needs an idempotency key of 1 to 300 characters.");
        if (_byKey.TryGetValue(message.IdempotencyKey, out var existing))
        {
            // The first copy may still be on its way to storage: answer only once it is there.
            if (_writing) await PersistAsync();
            return new EnqueueResult(true, existing.Id, true);
        }

        var now = time.GetUtcNow();
        if (message.CustomerMessageAt is { } at) NoteInboundCore(message.CustomerId, at, now);
        if (message.Channel == Channel.WhatsApp && message.Kind == OutboundKind.FreeForm)
        {
            var last = S.LastInbound.TryGetValue(message.CustomerId, out var l) ? l : (DateTimeOffset?)null;
            if (!ServiceWindow.IsOpen(last, now))
            {
                logger.LogInformation("Free-form WhatsApp message to customer {CustomerId} refused: outside the 24 h window", message.CustomerId);
                return EnqueueResult.Refused("outside-service-window", ServiceWindow.Explain(last, now));
            }
        }

        var entry = new OutboxEntry
        {
            Id = $"{this.GetPrimaryKeyString().Replace('/', '-')}-{++S.NextSequence}",
            Message = message,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now,
            Status = message.Delivery switch
            {
                OutboundDelivery.LocalOnly => OutboxStatus.Local,
                OutboundDelivery.Inline => OutboxStatus.Sent,
                _ => OutboxStatus.Queued,
            },
        };
        entry.History.Add(new StatusMark(entry.Status, now));
        S.Entries.Add(entry);
        Index(entry);
        Prune();
        await PersistAsync();
        return new EnqueueResult(true, entry.Id, false);
    }

    public Task<IReadOnlyList<OutboxEntry>> TakeDue(int max, TimeSpan lease)
    {
        var now = time.GetUtcNow();
        var due = new List<OutboxEntry>();
        foreach (var e in S.Entries)
        {
            if (due.Count >= max) break;
            if (e.Status != OutboxStatus.Queued || e.NextAttemptAt > now) continue;
            // The lease lives in memory only: after a crash the message is simply due again.
            e.NextAttemptAt = now + lease;
            due.Add(e);
        }
        return Task.FromResult<IReadOnlyList<OutboxEntry>>(due);
    }

    public async Task Complete(string entryId, SendOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!_byId.TryGetValue(entryId, out var e) || e.Status != OutboxStatus.Queued) return;
        var now = time.GetUtcNow();
        e.Attempts++;
        e.UpdatedAt = now;
        switch (outcome.Result)
        {
            case SendResult.Sent:
                e.ProviderMessageId = outcome.ProviderMessageId;
                if (outcome.ProviderMessageId is { } pid)
                {
                    _byProviderId[pid] = e;
                    // A receipt can outrun the send's own response; keep the most advanced status.
                }
                e.Status = OutboxStatus.Sent;
                e.LastError = null;
                e.History.Add(new StatusMark(OutboxStatus.Sent, now));
                break;
            case SendResult.Retry when e.Attempts < policy.MaxAttempts:
                e.LastError = outcome.Error;
                var delay = outcome.RetryAfter is { } ra && ra > policy.Backoff(e.Attempts) ? ra : policy.Backoff(e.Attempts);
                e.NextAttemptAt = now + delay;
                logger.LogWarning("Outbox entry {EntryId} attempt {Attempt} failed ({Error}); retrying in {Delay}", e.Id, e.Attempts, outcome.Error, delay);
                break;
            default:
                e.Status = OutboxStatus.Failed;
                e.LastError = outcome.Error;
                e.History.Add(new StatusMark(OutboxStatus.Failed, now, outcome.Error));
                logger.LogWarning("Outbox entry {EntryId} failed after {Attempts} attempts: {Error}", e.Id, e.Attempts, outcome.Error);
                break;
        }
        Prune();
        await PersistAsync();
    }

    public async Task<bool> RecordStatus(DeliveryReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (!_byProviderId.TryGetValue(receipt.ProviderMessageId, out var e)) return false;
        if (e.History.Any(h => h.Status == receipt.Status && h.At == receipt.At)) return false;
        e.History.Add(new StatusMark(receipt.Status, receipt.At, receipt.Detail));
        // Receipts arrive out of order: read may come before delivered. Keep the furthest; failed always wins.
        if (receipt.Status == OutboxStatus.Failed || Rank(receipt.Status) > Rank(e.Status))
        {
            e.Status = receipt.Status;
            if (receipt.Status == OutboxStatus.Failed) e.LastError = receipt.Detail;
        }
        e.UpdatedAt = time.GetUtcNow();
        await PersistAsync();
        return true;
    }

    public async Task NoteInbound(string customerId, DateTimeOffset at)
    {
        if (NoteInboundCore(customerId, at, time.GetUtcNow())) await PersistAsync();
    }

    public Task<IReadOnlyList<OutboxEntry>> List(int limit) =>
        Task.FromResult<IReadOnlyList<OutboxEntry>>(S.Entries.AsEnumerable().Reverse().Take(Math.Max(0, limit)).ToList());

    private bool _writing;
    private TaskCompletionSource? _nextWrite;

    private async Task PersistAsync()
    {
        if (_writing)
        {
            // A write is under way and may have serialised the state before this change: wait for the next one.
            _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _nextWrite.Task;
            return;
        }
        _writing = true;
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            while (_nextWrite is { } waiting)
            {
                _nextWrite = null;
                try
                {
                    await state.WriteStateAsync();
                    waiting.SetResult();
                }
                catch (Exception e)
                {
                    waiting.SetException(e);
                }
            }
            _writing = false;
        }
    }

    private bool NoteInboundCore(string customerId, DateTimeOffset at, DateTimeOffset now)
    {
        if (S.LastInbound.TryGetValue(customerId, out var old) && old >= at) return false;
        S.LastInbound[customerId] = at;
        // Customers silent for longer than the window no longer open it: drop them so the map stays bounded.
        foreach (var stale in S.LastInbound.Where(kv => now - kv.Value >= ServiceWindow.Length).Select(kv => kv.Key).ToList())
            S.LastInbound.Remove(stale);
        return true;
    }

    private static int Rank(OutboxStatus s) => s switch
    {
        OutboxStatus.Queued => 0,
        OutboxStatus.Sent => 1,
        OutboxStatus.Delivered => 2,
        OutboxStatus.Read => 3,
        _ => 4,
    };

    private void Index(OutboxEntry e)
    {
        _byKey[e.Message.IdempotencyKey] = e;
        _byId[e.Id] = e;
        if (e.ProviderMessageId is { } pid) _byProviderId[pid] = e;
    }

    private void Prune()
    {
        var finished = S.Entries.Count(e => e.IsFinal);
        var sent = S.Entries.Count(e => e.Status == OutboxStatus.Sent);
        if (finished <= policy.KeepFinishedPerShard && sent <= policy.KeepSentPerShard) return;
        var dropFinished = Math.Max(0, finished - policy.KeepFinishedPerShard);
        var dropSent = Math.Max(0, sent - policy.KeepSentPerShard);
        S.Entries.RemoveAll(e =>
        {
            var drop = (e.IsFinal && dropFinished-- > 0) || (e.Status == OutboxStatus.Sent && dropSent-- > 0);
            if (drop)
            {
                _byKey.Remove(e.Message.IdempotencyKey);
                _byId.Remove(e.Id);
                if (e.ProviderMessageId is { } pid) _byProviderId.Remove(pid);
            }
            return drop;
        });
    }
}

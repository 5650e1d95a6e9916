using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization;
using Switchboard.Addressing;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Grains.Outbox;

/// <summary>
/// Reentrant so concurrent calls do not wait for each other's disk writes: state changes happen synchronously between
/// awaits, each call appends the entry it changed to the journal (the store batches the appends of every grain into
/// one flush), and returns once that append is durable.
/// </summary>
[Reentrant]
public sealed class OutboxGrain(
    IJournalStore journalStore,
    Serializer serializer,
    OutboxPolicy policy,
    TimeProvider time,
    ILogger<OutboxGrain> logger,
    Switchboard.Grains.Interfaces.Analytics.IInteractionEvents analytics,
    RecipientSeal recipients) : Grain, IOutboxGrain
{
    private readonly Dictionary<string, OutboxEntry> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxEntry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxEntry> _byProviderId = new(StringComparer.Ordinal);

    /// <summary>Journal records between snapshots of the shard (a snapshot holds every kept entry).</summary>
    public const int SnapshotEvery = 256;

    private GrainJournal<OutboxState, OutboxChange> _journal = null!;

    private OutboxState S => _journal.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _journal = new GrainJournal<OutboxState, OutboxChange>(journalStore, serializer, "outbox/" + this.GetPrimaryKeyString(),
            (state, change) => state.Apply(change, policy), SnapshotEvery);
        await _journal.LoadAsync();
        // Entries of a journal written before recipients were sealed: sealed in memory, so the next snapshot holds no number.
        foreach (var e in S.Entries) SealRecipient(e);
        foreach (var e in S.Entries) Index(e);
    }

    public async Task<EnqueueResult> Enqueue(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.IdempotencyKey) || message.IdempotencyKey.Length > 300)
            throw new ArgumentException("An outbound message needs an idempotency key of 1 to 300 characters.");
        if (!RecipientSeal.IsSealed(message.Recipient)) message = message with { Recipient = recipients.Seal(message.Recipient) };
        if (_byKey.TryGetValue(message.IdempotencyKey, out var existing))
        {
            // The first copy may still be on its way to storage: answer only once it is there.
            await _journal.LastWrite;
            return new EnqueueResult(true, existing.Id, true);
        }

        var now = time.GetUtcNow();
        var change = new OutboxChange { At = now };
        if (message.CustomerMessageAt is { } at && S.NoteInbound(message.CustomerId, at, now))
            (change.InboundCustomer, change.InboundAt) = (message.CustomerId, at);
        if (message.Channel == Channel.WhatsApp && message.Kind == OutboundKind.FreeForm)
        {
            var last = S.LastInbound.TryGetValue(message.CustomerId, out var l) ? l : (DateTimeOffset?)null;
            if (!ServiceWindow.IsOpen(last, now))
            {
                logger.LogInformation("Free-form WhatsApp message to customer {CustomerId} refused: outside the 24 h window", message.CustomerId);
                if (change.InboundCustomer is not null) await Persist(change);
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
        change.Entry = entry;
        change.NextSequence = S.NextSequence;
        await Persist(change);
        return new EnqueueResult(true, entry.Id, false);
    }

    public async Task Record(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_byKey.ContainsKey(entry.Message.IdempotencyKey))
        {
            await _journal.LastWrite;
            return;
        }
        // Kept as the channel left it (sent, local or failed): nothing here dispatches it again.
        if (entry.Status == OutboxStatus.Queued) throw new ArgumentException("A recorded entry was already sent or given up.");
        SealRecipient(entry);
        var now = time.GetUtcNow();
        var change = new OutboxChange { Entry = entry, At = now };
        if (entry.Message.CustomerMessageAt is { } at && S.NoteInbound(entry.Message.CustomerId, at, now))
            (change.InboundCustomer, change.InboundAt) = (entry.Message.CustomerId, at);
        S.Entries.Add(entry);
        Index(entry);
        Prune();
        await Persist(change);
    }

    /// <summary>A clear recipient (a reply resumed from an old customer journal, a journey's message) is stored sealed.</summary>
    private void SealRecipient(OutboxEntry entry)
    {
        if (!RecipientSeal.IsSealed(entry.Message.Recipient)) entry.Message = entry.Message with { Recipient = recipients.Seal(entry.Message.Recipient) };
    }

    public Task<bool> Has(string idempotencyKey) => Task.FromResult(_byKey.ContainsKey(idempotencyKey));

    public async Task<IReadOnlyList<OutboxEntry>> TakeDue(int max, TimeSpan lease)
    {
        var now = time.GetUtcNow();
        var due = new List<OutboxEntry>();
        foreach (var e in S.Entries)
        {
            if (due.Count >= max) break;
            if (e.Status != OutboxStatus.Queued || e.NextAttemptAt > now) continue;
            e.NextAttemptAt = now + lease;
            due.Add(e);
        }
        if (due.Count == 0) return due;
        // The lease is journaled (one group-committed append per message taken): when this silo dies mid-send, the shard
        // re-activated on a survivor does not hand the message to another dispatcher while the one that took it may still
        // be sending it or recording its outcome (Complete, made again on the survivor). If that dispatcher is gone too,
        // the message is due again when the lease runs out.
        await Task.WhenAll(due.Select(e => Persist(new OutboxChange { Entry = e, At = now })));
        return due;
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
        await Persist(new OutboxChange { Entry = e, At = now });
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
        await Persist(new OutboxChange { Entry = e, At = e.UpdatedAt });
        Analytics.DeliveryEvents.Publish(analytics, e.Message, receipt);
        return true;
    }

    public async Task NoteInbound(string customerId, DateTimeOffset at)
    {
        var now = time.GetUtcNow();
        if (S.NoteInbound(customerId, at, now)) await Persist(new OutboxChange { InboundCustomer = customerId, InboundAt = at, At = now });
    }

    public Task Release(IReadOnlyList<HeldEntry> held)
    {
        // Like the lease, in memory only: after a crash the message is simply due again.
        foreach (var h in held)
            if (_byId.TryGetValue(h.EntryId, out var e) && e.Status == OutboxStatus.Queued) e.NextAttemptAt = h.At;
        return Task.CompletedTask;
    }

    public Task<OutboxDeliveryStatus?> FindStatus(string idempotencyKey) =>
        Task.FromResult(_byKey.TryGetValue(idempotencyKey, out var e) ? new OutboxDeliveryStatus(e.Status, [.. e.History], e.Attempts) : null);

    public Task<IReadOnlyList<OutboxEntry>> List(int limit) =>
        Task.FromResult<IReadOnlyList<OutboxEntry>>(S.Entries.AsEnumerable().Reverse().Take(Math.Max(0, limit)).ToList());

    /// <summary>Appends the change (serialised now, so later changes to the entry are not in it) and waits until it is durable.</summary>
    private async Task Persist(OutboxChange change)
    {
        try
        {
            await _journal.AppendAsync(change);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
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
        foreach (var e in S.Prune(policy))
        {
            _byKey.Remove(e.Message.IdempotencyKey);
            _byId.Remove(e.Id);
            if (e.ProviderMessageId is { } pid) _byProviderId.Remove(pid);
        }
    }
}

using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Grains.Outbox;

[GenerateSerializer, Alias("outbox-state")]
public sealed class OutboxState
{
    [Id(0)] public List<OutboxEntry> Entries { get; set; } = [];
    /// <summary>Customer id → their last message on this shard's channel; entries older than the window are dropped.</summary>
    [Id(1)] public Dictionary<string, DateTimeOffset> LastInbound { get; set; } = [];
    [Id(2)] public long NextSequence { get; set; }

    /// <summary>Replays one journal record: the entry as it was after the change, and the window's note.</summary>
    public void Apply(OutboxChange change, OutboxPolicy policy)
    {
        NextSequence = Math.Max(NextSequence, change.NextSequence);
        if (change.InboundCustomer is { } customer) NoteInbound(customer, change.InboundAt, change.At);
        if (change.Entry is not { } entry) return;
        var index = Entries.FindIndex(e => e.Id == entry.Id);
        if (index >= 0) Entries[index] = entry;
        else Entries.Add(entry);
        Prune(policy);
    }

    /// <summary>How often the stale notes are swept: the map then holds at most the window plus this of customers.</summary>
    public static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    // Not stored: after a load the first note sweeps.
    [NonSerialized] private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    public bool NoteInbound(string customerId, DateTimeOffset at, DateTimeOffset now)
    {
        if (LastInbound.TryGetValue(customerId, out var old) && old >= at) return false;
        LastInbound[customerId] = at;
        // Customers silent for longer than the window no longer open it: drop them so the map stays bounded. A sweep
        // reads the whole map, so it runs at most once per SweepEvery, not on every note (O(customers) per reply
        // before). A note kept past the window until the next sweep decides nothing: ServiceWindow.IsOpen reads its time.
        if (now >= _nextSweep)
        {
            _nextSweep = now + SweepEvery;
            foreach (var (customer, last) in LastInbound)
                if (now - last >= ServiceWindow.Length) LastInbound.Remove(customer);
        }
        return true;
    }

    /// <summary>Drops the oldest finished and sent entries past the policy's limits; returns what it dropped.</summary>
    public List<OutboxEntry> Prune(OutboxPolicy policy)
    {
        var dropped = new List<OutboxEntry>();
        var finished = Entries.Count(e => e.IsFinal);
        var sent = Entries.Count(e => e.Status == OutboxStatus.Sent);
        if (finished <= policy.KeepFinishedPerShard && sent <= policy.KeepSentPerShard) return dropped;
        var dropFinished = Math.Max(0, finished - policy.KeepFinishedPerShard);
        var dropSent = Math.Max(0, sent - policy.KeepSentPerShard);
        Entries.RemoveAll(e =>
        {
            var drop = (e.IsFinal && dropFinished-- > 0) || (e.Status == OutboxStatus.Sent && dropSent-- > 0);
            if (drop) dropped.Add(e);
            return drop;
        });
        return dropped;
    }
}

/// <summary>One outbox journal record: an entry as it is after an enqueue, an attempt or a receipt; or a window note.</summary>
[GenerateSerializer, Alias("outbox-change")]
public sealed class OutboxChange
{
    [Id(0)] public OutboxEntry? Entry { get; set; }
    [Id(1)] public string? InboundCustomer { get; set; }
    [Id(2)] public DateTimeOffset InboundAt { get; set; }
    [Id(3)] public DateTimeOffset At { get; set; }
    [Id(4)] public long NextSequence { get; set; }
}

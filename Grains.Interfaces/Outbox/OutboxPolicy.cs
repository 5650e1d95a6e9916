namespace Switchboard.Grains.Interfaces.Outbox;

/// <summary>Section <c>Outbox</c>: how long and how often a message is retried, and how much history a shard keeps.</summary>
public sealed class OutboxPolicy
{
    public const string Section = "Outbox";

    /// <summary>Shards per channel; recipients are spread over them by a stable hash. Changing it re-homes recipients: set it once.</summary>
    public int Shards { get; set; } = 32;
    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Attempts before a message is marked failed.</summary>
    public int MaxAttempts { get; set; } = 12;
    /// <summary>Finished messages (delivered, read, failed, local) a shard keeps for the listing and for receipts.</summary>
    public int KeepFinishedPerShard { get; set; } = 500;
    /// <summary>Sent messages awaiting receipts a shard keeps before the oldest are dropped from memory.</summary>
    public int KeepSentPerShard { get; set; } = 2000;

    public TimeSpan Backoff(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(BaseBackoff.Ticks * factor, MaxBackoff.Ticks));
        return delay;
    }

    public void Validate()
    {
        if (Shards is < 1 or > 1024) throw new InvalidOperationException("Outbox:Shards must be 1 to 1024.");
        if (BaseBackoff <= TimeSpan.Zero || MaxBackoff < BaseBackoff) throw new InvalidOperationException("Outbox:BaseBackoff must be positive and at most Outbox:MaxBackoff.");
        if (MaxAttempts < 1) throw new InvalidOperationException("Outbox:MaxAttempts must be at least 1.");
        if (KeepFinishedPerShard < 1 || KeepSentPerShard < 1) throw new InvalidOperationException("Outbox:Keep* must be at least 1.");
    }
}

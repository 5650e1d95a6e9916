namespace Switchboard.Grains.Interfaces.Outbox;

/// <summary>
/// A durable outbox shard (key <see cref="OutboxKeys.Shard"/>): a message is stored before the webhook that caused it
/// is acknowledged, and stays until the provider accepts it or retries run out. Messages to one recipient always
/// land in the same shard, so their order and their delivery receipts meet there. It also enforces the WhatsApp
/// 24-hour customer-service window, the one place that rule lives.
/// </summary>
[Alias("outbox")]
public interface IOutboxGrain : IGrainWithStringKey
{
    /// <summary>Stores the message (once per idempotency key) or refuses it with a reason.</summary>
    [Alias("enqueue")]
    Task<EnqueueResult> Enqueue(OutboundMessage message);

    /// <summary>Queued messages whose attempt is due, leased to the caller for <paramref name="lease"/> so two dispatchers do not send one message twice.</summary>
    [Alias("take-due")]
    Task<IReadOnlyList<OutboxEntry>> TakeDue(int max, TimeSpan lease);

    /// <summary>Records the result of one send attempt.</summary>
    [Alias("complete")]
    Task Complete(string entryId, SendOutcome outcome);

    /// <summary>Records a delivery receipt (sent, delivered, read, failed) against the message the provider id names; false when unknown or a duplicate.</summary>
    [Alias("record-status")]
    Task<bool> RecordStatus(DeliveryReceipt receipt);

    /// <summary>The customer wrote to us: opens or refreshes the customer-service window.</summary>
    [Alias("note-inbound")]
    Task NoteInbound(string customerId, DateTimeOffset at);

    /// <summary>Keeps an entry a channel already sent (or kept locally) for the listing and its delivery receipts; once per idempotency key.</summary>
    [Alias("record")]
    Task Record(OutboxEntry entry);

    /// <summary>Whether a message with this idempotency key is here (a resumed reply that was sent before a crash is not sent again).</summary>
    [Alias("has")]
    Task<bool> Has(string idempotencyKey);

    [Alias("list")]
    Task<IReadOnlyList<OutboxEntry>> List(int limit);

    /// <summary>Gives taken messages back unsent, each due again at its time (pacing held them): no attempt is counted.</summary>
    [Alias("release")]
    Task Release(IReadOnlyList<HeldEntry> held);

    /// <summary>The delivery status and its history of the message with this idempotency key (no body, no recipient); null when not here.</summary>
    [Alias("find-status")]
    Task<OutboxDeliveryStatus?> FindStatus(string idempotencyKey);
}

[GenerateSerializer, Immutable, Alias("held-entry")]
public sealed record HeldEntry([property: Id(0)] string EntryId, [property: Id(1)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("outbox-delivery-status")]
public sealed record OutboxDeliveryStatus(
    [property: Id(0)] OutboxStatus Status,
    [property: Id(1)] IReadOnlyList<StatusMark> History,
    [property: Id(2)] int Attempts);

[GenerateSerializer, Immutable, Alias("enqueue-result")]
public sealed record EnqueueResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? EntryId,
    [property: Id(2)] bool Duplicate,
    [property: Id(3)] string? RefusalKind = null,
    [property: Id(4)] string? Reason = null)
{
    public static EnqueueResult Refused(string kind, string reason) => new(false, null, false, kind, reason);
}

[GenerateSerializer, Immutable, Alias("send-outcome")]
public sealed record SendOutcome(
    [property: Id(0)] SendResult Result,
    [property: Id(1)] string? ProviderMessageId = null,
    [property: Id(2)] string? Error = null,
    [property: Id(3)] TimeSpan? RetryAfter = null)
{
    public static SendOutcome Sent(string? providerId) => new(SendResult.Sent, providerId);
    public static SendOutcome Retry(string error, TimeSpan? after = null) => new(SendResult.Retry, null, error, after);
    public static SendOutcome Failed(string error) => new(SendResult.Failed, null, error);
}

[GenerateSerializer, Alias("send-result")]
public enum SendResult
{
    Sent = 0,
    Retry = 1,
    Failed = 2,
}

[GenerateSerializer, Immutable, Alias("delivery-receipt")]
public sealed record DeliveryReceipt(
    [property: Id(0)] string ProviderMessageId,
    [property: Id(1)] OutboxStatus Status,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? Detail = null);

public static class OutboxKeys
{
    /// <summary>Shard key: channel and a stable hash of the recipient, so one recipient's messages and receipts share a shard.</summary>
    public static string Shard(Conversation.Channel channel, string recipient, int shards) =>
        $"{Conversation.ChannelNames.ToWire(channel)}/{StableHash(recipient) % (uint)shards}";

    public static string Shard(Conversation.Channel channel, int index) => $"{Conversation.ChannelNames.ToWire(channel)}/{index}";

    private static uint StableHash(string s)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var h = 2166136261u;
        foreach (var c in s) { h ^= c; h *= 16777619u; }
        return h;
    }
}

namespace Switchboard.Grains.Interfaces.Outbox;

/// <summary>An outbound message with its delivery history, as the outbox keeps it.</summary>
[GenerateSerializer, Alias("outbox-entry")]
public sealed class OutboxEntry
{
    [Id(0)] public required string Id { get; set; }
    [Id(1)] public required OutboundMessage Message { get; set; }
    [Id(2)] public OutboxStatus Status { get; set; }
    [Id(3)] public int Attempts { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>The id the provider gave the message (a wamid, an SMS sid), which delivery receipts name.</summary>
    [Id(7)] public string? ProviderMessageId { get; set; }
    [Id(8)] public string? LastError { get; set; }
    /// <summary>Every status reported, in arrival order, e.g. <c>sent@…</c>, <c>read@…</c>.</summary>
    [Id(9)] public List<StatusMark> History { get; set; } = [];

    public bool IsFinal => Status is OutboxStatus.Delivered or OutboxStatus.Read or OutboxStatus.Failed or OutboxStatus.Local;
}

[GenerateSerializer, Immutable, Alias("status-mark")]
public sealed record StatusMark([property: Id(0)] OutboxStatus Status, [property: Id(1)] DateTimeOffset At, [property: Id(2)] string? Detail = null);

[GenerateSerializer, Alias("outbox-status")]
public enum OutboxStatus
{
    /// <summary>Waiting to be sent (first attempt or a retry after a failure).</summary>
    Queued = 0,
    /// <summary>The provider accepted it.</summary>
    Sent = 1,
    Delivered = 2,
    Read = 3,
    /// <summary>Given up: the provider refused it, or retries ran out.</summary>
    Failed = 4,
    /// <summary>Kept locally because the channel has no API configured.</summary>
    Local = 5,
}

public static class OutboxStatusNames
{
    public static string ToWire(this OutboxStatus status) => status switch
    {
        OutboxStatus.Queued => "queued",
        OutboxStatus.Sent => "sent",
        OutboxStatus.Delivered => "delivered",
        OutboxStatus.Read => "read",
        OutboxStatus.Failed => "failed",
        OutboxStatus.Local => "local",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? wire, out OutboxStatus status)
    {
        foreach (var s in Enum.GetValues<OutboxStatus>())
            if (string.Equals(s.ToWire(), wire?.Trim(), StringComparison.OrdinalIgnoreCase)) { status = s; return true; }
        status = default;
        return false;
    }
}

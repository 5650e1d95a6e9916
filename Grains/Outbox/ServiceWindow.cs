namespace Switchboard.Grains.Outbox;

/// <summary>
/// WhatsApp's customer-service window: free-form messages only within 24 hours of the customer's last message;
/// outside it only templates. Our own sends never refresh it.
/// </summary>
public static class ServiceWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromHours(24);

    public static bool IsOpen(DateTimeOffset? lastCustomerMessage, DateTimeOffset now) =>
        lastCustomerMessage is { } last && now - last < Length;

    public static string Explain(DateTimeOffset? lastCustomerMessage, DateTimeOffset now) => lastCustomerMessage is { } last
        ? $"the customer last wrote {(now - last).TotalHours:F1} h ago; free-form messages are allowed only within 24 h, send an approved template instead"
        : "the customer has not written to us; free-form messages are allowed only within 24 h of their last message, send an approved template instead";
}

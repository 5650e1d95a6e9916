namespace Switchboard.Journeys.Model;

/// <summary>
/// Something the customer did or that happened to a message, seen by the enrolment when it asks the customer grain and
/// the outbox. <see cref="Mark"/> identifies the event by the customer's own ordering (the n-th inbound turn on a
/// channel, the n-th intent): an event is new to a wait when its mark was not there when the wait began, whatever the
/// provider's whole-second time stamp says. Without a mark (the simulator) the time stamp decides.
/// </summary>
public sealed record CustomerEvent(CustomerEventKind Kind, DateTimeOffset At, JourneyChannel? Channel = null, string? Name = null, string? Mark = null);

public enum CustomerEventKind
{
    Replied,
    Intent,
    Delivered,
    Read,
    DeliveryFailed,
    CallCompleted,
    CallUnanswered,
    Goal,
    OptedOut,
}

public static class CustomerEventKinds
{
    public static bool TryParse(string? wire, out CustomerEventKind kind)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "replied": kind = CustomerEventKind.Replied; return true;
            case "intent": kind = CustomerEventKind.Intent; return true;
            case "delivered": kind = CustomerEventKind.Delivered; return true;
            case "read": kind = CustomerEventKind.Read; return true;
            case "delivery-failed": kind = CustomerEventKind.DeliveryFailed; return true;
            case "call-completed": kind = CustomerEventKind.CallCompleted; return true;
            case "goal": kind = CustomerEventKind.Goal; return true;
            case "opted-out": kind = CustomerEventKind.OptedOut; return true;
            default: kind = default; return false;
        }
    }
}

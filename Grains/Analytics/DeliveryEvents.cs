using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Grains.Analytics;

/// <summary>A delivery receipt as an interaction event: which message (by hash), which status; never the recipient.</summary>
public static class DeliveryEvents
{
    public static void Publish(IInteractionEvents events, OutboundMessage message, DeliveryReceipt receipt)
    {
        try
        {
            events.Publish(new InteractionEvent(
                TurnEvents.IdOf("delivery", message.Tenant, message.CustomerId, receipt.ProviderMessageId, receipt.Status.ToWire(), receipt.At.ToString("O")),
                InteractionKind.Delivery, message.Tenant, message.CustomerId, message.Channel, receipt.At, Outcome: receipt.Status.ToWire()));
        }
        catch (Exception)
        {
            // Analytics never breaks a receipt.
        }
    }
}

using System.Diagnostics.Metrics;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Where a webhook's time goes: the engine turn (ingress → customer grain) and the outbox write. Meter <c>Switchboard.WhatsApp</c>, milliseconds.</summary>
public static class WhatsAppMetrics
{
    public const string MeterName = "Switchboard.WhatsApp";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> EngineTurn = Meter.CreateHistogram<double>("switchboard.whatsapp.engine_turn", "ms", "Ingress.Receive for one message");
    public static readonly Histogram<double> OutboxEnqueue = Meter.CreateHistogram<double>("switchboard.whatsapp.outbox_enqueue", "ms", "Consent check and durable outbox write for one reply part");
}

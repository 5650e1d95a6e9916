using System.Diagnostics.Metrics;

namespace Switchboard.Channels.WhatsApp;

/// <summary>Where a webhook's time goes: the engine turn (ingress → customer grain, the reply recorded with it). Meter <c>Switchboard.WhatsApp</c>, milliseconds.</summary>
public static class WhatsAppMetrics
{
    public const string MeterName = "Switchboard.WhatsApp";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> EngineTurn = Meter.CreateHistogram<double>("switchboard.whatsapp.engine_turn", "ms", "Ingress.Receive for one message");
}

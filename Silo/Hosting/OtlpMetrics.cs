using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// The engine's metrics over OTLP, off unless an OTLP endpoint is configured (the one traces use:
/// <c>OpenTelemetry:Otlp:Endpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); <c>OpenTelemetry:Metrics:Enabled=false</c>
/// turns them off with an endpoint set. Exported: Orleans' meter (<c>Microsoft.Orleans</c>: messaging, gateway, catalog
/// activations, grain call latency) and Switchboard's (<c>Switchboard.*</c>: turn calls, the WhatsApp engine turn,
/// analytics), every <c>OTEL_METRIC_EXPORT_INTERVAL</c> ms (the standard setting; 60 s by default). The same meters reach
/// the Prometheus endpoint where the analytics map one (a silo's <c>/metrics</c>).
/// </summary>
public static class OtlpMetrics
{
    public const string EnabledKey = "OpenTelemetry:Metrics:Enabled";
    public const string OrleansMeter = "Microsoft.Orleans";
    /// <summary>Every meter of ours: <c>Switchboard.Turns</c>, <c>Switchboard.WhatsApp</c>, <c>Switchboard.Analytics</c>.</summary>
    public const string SwitchboardMeters = "Switchboard.*";

    public static bool Enabled(IConfiguration config) => Tracing.OtlpEndpoint(config) is not null && config.GetValue(EnabledKey, true);

    public static void Add(OpenTelemetryBuilder otel, string endpoint, OtlpExportProtocol protocol) =>
        otel.WithMetrics(m => m
            .AddMeter(OrleansMeter, SwitchboardMeters)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = Tracing.SignalEndpoint(endpoint, protocol, "/v1/metrics");
            }));
}

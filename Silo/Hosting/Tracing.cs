using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// OpenTelemetry traces, off unless an OTLP endpoint is configured (<c>OpenTelemetry:Otlp:Endpoint</c>, or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) or <c>OpenTelemetry:Tracing:Enabled=true</c>. A webhook's trace runs
/// from the gateway's HTTP request span through the Orleans client call into the silo's grain calls (Orleans carries the
/// W3C trace context in each call: <c>AddActivityPropagation</c> on both sides) and out to the provider send (the
/// HttpClient span). Each role reports as its own service (<c>switchboard-gateway</c>, <c>switchboard-silo</c>,
/// <c>switchboard-all</c>). Spans never carry a query string, and digits in URL paths (RCS puts the phone number in
/// its send URL) are masked by <see cref="RedactUrls"/>.
/// </summary>
public static partial class Tracing
{
    /// <summary>Spans Switchboard's own code starts (none yet beyond the frameworks'; reserved for the channels); their names start with <c>Switchboard.</c>.</summary>
    public const string SourceName = Switchboard.Channels.Common.ChannelTracing.SourceName;
    public const string EndpointKey = "OpenTelemetry:Otlp:Endpoint";
    /// <summary><c>grpc</c> or <c>http/protobuf</c> (the default here: it needs no HTTP/2 on the way to the collector).</summary>
    public const string ProtocolKey = "OpenTelemetry:Otlp:Protocol";
    public const string EnabledKey = "OpenTelemetry:Tracing:Enabled";
    private const string StandardEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string StandardProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    public static string? OtlpEndpoint(IConfiguration config) =>
        NonEmpty(config[EndpointKey]) ?? NonEmpty(config[StandardEndpointKey]);

    public static bool Enabled(IConfiguration config) => config.GetValue<bool?>(EnabledKey) ?? OtlpEndpoint(config) is not null;

    /// <param name="configure">More for the tracer provider (a test adds its in-memory exporter here).</param>
    /// <summary>Traces (above) and, with an OTLP endpoint, the engine's metrics (<see cref="OtlpMetrics"/>), under one service resource.</summary>
    public static WebApplicationBuilder AddTracing(this WebApplicationBuilder builder, SwitchboardRole role, Action<TracerProviderBuilder>? configure = null)
    {
        var config = builder.Configuration;
        var tracing = Enabled(config);
        var metrics = OtlpMetrics.Enabled(config);
        if (!tracing && !metrics) return builder;
        var endpoint = OtlpEndpoint(config);
        var protocol = ParseProtocol(NonEmpty(config[ProtocolKey]) ?? NonEmpty(config[StandardProtocolKey]));
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("switchboard-" + role.ToString().ToLowerInvariant(), serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId));
        if (metrics) OtlpMetrics.Add(otel, endpoint!, protocol);
        if (!tracing) return builder;
        otel.WithTracing(t =>
            {
                t.SetSampler(new ParentBasedSampler(new RequestsOnly()))
                    .AddAspNetCoreInstrumentation(o => o.Filter = Traced)
                    .AddSource(SourceName, "System.Net.Http", Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName)
                    .AddProcessor(new RedactUrls());
                if (endpoint is not null)
                    t.AddOtlpExporter(o =>
                    {
                        o.Protocol = protocol;
                        o.Endpoint = TracesEndpoint(endpoint, protocol);
                    });
                configure?.Invoke(t);
            });
        return builder;
    }

    /// <summary>
    /// The endpoint the exporter posts to. The standard variable names the collector's base address (the exporter adds
    /// <c>/v1/traces</c> for HTTP); an endpoint set in code is used as given, so the path is added here when missing.
    /// </summary>
    public static Uri TracesEndpoint(string endpoint, OtlpExportProtocol protocol) => SignalEndpoint(endpoint, protocol, "/v1/traces");

    /// <summary>The endpoint for one signal (<c>/v1/traces</c>, <c>/v1/metrics</c>): added for HTTP when the configured address has no path.</summary>
    public static Uri SignalEndpoint(string endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{EndpointKey} '{endpoint}' is not an http(s) address, e.g. http://collector:4318.");
        if (protocol == OtlpExportProtocol.HttpProtobuf && uri.AbsolutePath is "" or "/") return new Uri(uri, signalPath);
        return uri;
    }

    private static OtlpExportProtocol ParseProtocol(string? value) => value?.ToLowerInvariant() switch
    {
        null or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        "grpc" => OtlpExportProtocol.Grpc,
        _ => throw new InvalidOperationException($"{ProtocolKey} '{value}' is not grpc or http/protobuf."),
    };

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>Probes and the dashboard's polling are not traced: they would bury the requests that matter.</summary>
    private static bool Traced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/dashboard");

    /// <summary>
    /// A trace starts only at an HTTP request (or Switchboard's own spans); everything else follows its parent. Without
    /// this every background poll (the reply dispatchers' outbox polling, timers calling grains) would be a trace of its own.
    /// </summary>
    public sealed class RequestsOnly : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters p) =>
            new(p.Name == "Microsoft.AspNetCore.Hosting.HttpRequestIn" || p.Name.StartsWith(SourceName + ".", StringComparison.Ordinal)
                ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }

    /// <summary>Drops query strings and masks digit runs in URL paths before a span is exported: no address leaves in a trace.</summary>
    public sealed partial class RedactUrls : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity activity)
        {
            foreach (var tag in (string[])["url.query", "url.full", "http.url", "http.target"])
                if (activity.GetTagItem(tag) is string value)
                    activity.SetTag(tag, tag == "url.query" ? null : Mask(value.Split('?')[0]));
            if (activity.GetTagItem("url.path") is string path) activity.SetTag("url.path", Mask(path));
        }

        private static string Mask(string s) => Digits().Replace(s, "*");

        [GeneratedRegex(@"\d{5,}")]
        private static partial Regex Digits();
    }
}

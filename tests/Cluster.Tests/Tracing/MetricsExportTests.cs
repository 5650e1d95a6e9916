using System.Net;
using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests.Tracing;

/// <summary>
/// With an OTLP endpoint set, a gateway and a silo (separate processes on redis-server) export the engine's metrics to the
/// collector stand-in over OTLP/HTTP: Orleans' meter from both, and the channels' turn metric from the gateway that
/// handled a webhook.
/// </summary>
[Collection("cluster")]
public sealed class MetricsExportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_engines_meters_reach_an_otlp_collector_from_gateway_and_silo()
    {
        await using var collector = await OtlpCollectorStandIn.StartAsync();
        var settings = ClusterSettings.Base();
        settings["OpenTelemetry:Otlp:Endpoint"] = collector.Endpoint;
        // Export every 500 ms instead of every 60 s (the standard periodic reader setting).
        settings["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: 1, settings);

        var post = await WhatsAppWebhookPost.PostSignedAsync(cluster.Gateways[0].Http,
            WhatsAppWebhookPost.Text("919800004343", "wamid.metrics-1", "hello"), ClusterSettings.AppSecret);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        bool Has(string service, string scope, string? name = null) => collector.Metrics.Any(m => m.Service == service && m.Scope == scope && (name is null || m.Name == name));
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(
                Has("switchboard-silo", "Microsoft.Orleans", "orleans-catalog-activations")
                && Has("switchboard-gateway", "Microsoft.Orleans")
                && Has("switchboard-gateway", "Switchboard.Turns", "switchboard.turn.duration")),
            TimeSpan.FromSeconds(90)),
            $"{collector.MetricRequests} metric exports: " + string.Join("; ", collector.Metrics.Select(m => $"{m.Service} {m.Scope} {m.Name}").Distinct().Take(80)));
        output.WriteLine($"{collector.MetricRequests} metric exports; metrics: " + string.Join(", ", collector.Metrics.Select(m => $"{m.Service}/{m.Scope}/{m.Name}").Distinct().Order()));
        // Off by default: no endpoint, no export (the trace test and every other cluster test run without one).
    }
}

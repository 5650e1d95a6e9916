using System.Net;
using Xunit.Abstractions;
using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests.Tracing;

/// <summary>
/// A gateway and a silo as separate processes on redis-server, both exporting traces by OTLP/HTTP to a collector
/// stand-in: one signed WhatsApp webhook is one trace, from the gateway's request span through its Orleans client call
/// into the silo's grain calls.
/// </summary>
[Collection("cluster")]
public sealed class TraceAcrossTheHopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_webhook_is_one_trace_from_the_gateways_request_span_into_the_silos_grain_calls()
    {
        await using var collector = await OtlpCollectorStandIn.StartAsync();
        var settings = ClusterSettings.Base();
        settings["OpenTelemetry:Otlp:Endpoint"] = collector.Endpoint;
        // Export every 200 ms instead of every 5 s (the standard batch processor setting).
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        await using var cluster = await LocalCluster.StartAsync(silos: 1, gateways: 1, settings);

        var post = await WhatsAppWebhookPost.PostSignedAsync(cluster.Gateways[0].Http,
            WhatsAppWebhookPost.Text("919800004242", "wamid.trace-1", "hello"), ClusterSettings.AppSecret);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        // Spans arrive in batches from two processes: wait until a silo span's whole ancestry up to the webhook has come.
        ReceivedSpan? webhook = null;
        List<ReceivedSpan> chain = [];
        Dictionary<string, ReceivedSpan> byId = [];
        Assert.True(await Eventually.HoldsAsync(() =>
        {
            var spans = collector.Spans.ToList();
            webhook = spans.FirstOrDefault(s => s is { Service: "switchboard-gateway", Kind: ReceivedSpan.ServerKind } && s.Name.Contains("/webhooks/whatsapp", StringComparison.Ordinal));
            if (webhook is null) return Task.FromResult(false);
            byId = spans.Where(s => s.TraceId == webhook.TraceId).GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
            foreach (var grainCall in byId.Values.Where(s => s is { Service: "switchboard-silo", Kind: ReceivedSpan.ServerKind }))
            {
                chain = [];
                for (var s = grainCall; s is not null && chain.Count < 50; s = byId.GetValueOrDefault(s.ParentSpanId)) chain.Add(s);
                if (chain[^1].SpanId == webhook.SpanId) return Task.FromResult(true);
            }
            return Task.FromResult(false);
        }, TimeSpan.FromSeconds(90)), $"no silo span descending from the gateway's webhook span; received: {Describe(collector)}");

        // silo server span <- gateway Orleans client span <- ... <- the webhook's request span.
        var grainCallSpan = chain[0];
        Assert.Contains(chain, s => s is { Service: "switchboard-gateway", Kind: ReceivedSpan.ClientKind, Scope: "Microsoft.Orleans.Application" });
        Assert.StartsWith("Microsoft.Orleans", grainCallSpan.Scope);
        foreach (var span in byId.Values)
            output.WriteLine($"{span.Service,-20} {span.Scope,-30} kind {span.Kind} {span.Name} (parent {(span.ParentSpanId.Length == 0 ? "none" : span.ParentSpanId[..8])}, span {span.SpanId[..8]})");
    }

    private static string Describe(OtlpCollectorStandIn collector) =>
        $"{collector.Requests} requests: " + string.Join("; ", collector.Spans.Take(40).Select(s => $"{s.Service} {s.Scope} kind {s.Kind} '{s.Name}' trace {s.TraceId[..8]}"));
}

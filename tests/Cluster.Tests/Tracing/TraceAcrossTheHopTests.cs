using System.Net;
using Xunit.Abstractions;
using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests.Tracing;

/// <summary>
/// A gateway and a silo as separate processes on redis-server, both exporting traces by OTLP/HTTP to a collector
/// stand-in: one signed WhatsApp webhook is one trace, from the gateway's request span through its Orleans client call
/// into the silo's grain calls, and out to the provider send the gateway's reply dispatcher makes after the webhook was
/// answered (its span is parented on the turn's trace, carried with the pending reply).
/// </summary>
[Collection("cluster")]
public sealed class TraceAcrossTheHopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_webhook_is_one_trace_from_the_gateways_request_span_into_the_silos_grain_calls_and_out_to_the_provider_send()
    {
        await using var collector = await OtlpCollectorStandIn.StartAsync();
        await using var graph = await GraphApiStandIn.StartAsync();
        var settings = ClusterSettings.Base();
        settings["WhatsApp:AccessToken"] = GraphApiStandIn.AccessToken;
        settings["WhatsApp:ApiBaseUrl"] = graph.Url;
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

        // The reply's send: the dispatcher's span descends from the webhook's span, and the Graph call is its child.
        ReceivedSpan? send = null, graphCall = null;
        Assert.True(await Eventually.HoldsAsync(() =>
        {
            byId = collector.Spans.Where(s => s.TraceId == webhook!.TraceId).GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
            send = byId.Values.FirstOrDefault(s => s is { Service: "switchboard-gateway", Name: "Switchboard.Reply.Send" });
            graphCall = send is null ? null : byId.Values.FirstOrDefault(s => s.ParentSpanId == send.SpanId && s is { Scope: "System.Net.Http", Kind: ReceivedSpan.ClientKind });
            return Task.FromResult(graphCall is not null);
        }, TimeSpan.FromSeconds(90)), $"no provider send in the webhook's trace; graph got {graph.TraceParents.Count} sends; received: {Describe(collector)}");
        var ancestry = new List<ReceivedSpan>();
        for (var s = send; s is not null && ancestry.Count < 50; s = byId.GetValueOrDefault(s.ParentSpanId)) ancestry.Add(s);
        Assert.Equal(webhook!.SpanId, ancestry[^1].SpanId);
        // The Graph API got the trace context of that HTTP call.
        Assert.Contains(graph.TraceParents, p => p is not null && p.Contains(webhook.TraceId, StringComparison.Ordinal) && p.Contains(graphCall!.SpanId, StringComparison.Ordinal));
        foreach (var span in byId.Values)
            output.WriteLine($"{span.Service,-20} {span.Scope,-30} kind {span.Kind} {span.Name} (parent {(span.ParentSpanId.Length == 0 ? "none" : span.ParentSpanId[..8])}, span {span.SpanId[..8]})");
    }

    private static string Describe(OtlpCollectorStandIn collector) =>
        $"{collector.Requests} requests: " + string.Join("; ", collector.Spans.Take(40).Select(s => $"{s.Service} {s.Scope} kind {s.Kind} '{s.Name}' trace {s.TraceId[..8]}"));
}

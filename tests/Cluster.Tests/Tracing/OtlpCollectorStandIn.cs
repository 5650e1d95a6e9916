using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Cluster.Tests.Tracing;

/// <summary>One span as an OTLP collector receives it, with the service that sent it.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind)
{
    public const int ServerKind = 2;
    public const int ClientKind = 3;
}

/// <summary>One metric as an OTLP collector receives it: the service that sent it, its meter (scope) and its name.</summary>
public sealed record ReceivedMetric(string Service, string Scope, string Name);

/// <summary>
/// An OpenTelemetry collector stand-in speaking OTLP/HTTP: <c>POST /v1/traces</c> with an
/// <c>ExportTraceServiceRequest</c> in protobuf (gzip or not), answered 200 with an empty
/// <c>ExportTraceServiceResponse</c>, and <c>POST /v1/metrics</c> with an <c>ExportMetricsServiceRequest</c> (the metrics'
/// names by service and meter; their data points are not read). It reads the protobuf wire format itself (the fields of resource spans, scope
/// spans and spans it needs), so nothing of the engine's OpenTelemetry code is on the receiving side.
/// </summary>
public sealed class OtlpCollectorStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
    public ConcurrentQueue<ReceivedMetric> Metrics { get; } = new();
    public int Requests;
    public int MetricRequests;
    public string Endpoint { get; private set; } = "";

    private OtlpCollectorStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            if (request.ContentType != "application/x-protobuf") return Results.StatusCode(415);
            foreach (var span in ReadRequest(await BodyAsync(request))) Spans.Enqueue(span);
            Interlocked.Increment(ref Requests);
            return Results.Bytes([], "application/x-protobuf");
        });
        _app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            if (request.ContentType != "application/x-protobuf") return Results.StatusCode(415);
            foreach (var metric in ReadMetricsRequest(await BodyAsync(request))) Metrics.Enqueue(metric);
            Interlocked.Increment(ref MetricRequests);
            return Results.Bytes([], "application/x-protobuf");
        });
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        if (request.Headers.ContentEncoding != "gzip") return bytes;
        using var unzipped = new MemoryStream();
        await new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress).CopyToAsync(unzipped);
        return unzipped.ToArray();
    }

    // ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
    // ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }  Metric { string name = 1; ... }
    private static IEnumerable<ReceivedMetric> ReadMetricsRequest(byte[] message)
    {
        foreach (var (field, resourceMetrics) in Fields(message))
        {
            if (field != 1) continue;
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceMetrics))
            {
                if (f == 1)
                    foreach (var (a, kv) in Fields(value))
                        if (a == 1 && ReadKeyValue(kv) is ("service.name", var name)) service = name;
                if (f == 2) scopes.Add(value);
            }
            foreach (var scope in scopes)
            {
                var scopeName = "";
                var names = new List<string>();
                foreach (var (f, value) in Fields(scope))
                {
                    if (f == 1) scopeName = Fields(value).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault() ?? "";
                    if (f == 2) names.Add(Fields(value).Where(x => x.Field == 1).Select(x => Encoding.UTF8.GetString(x.Value)).FirstOrDefault() ?? "");
                }
                foreach (var name in names) yield return new ReceivedMetric(service, scopeName, name);
            }
        }
    }

    public static async Task<OtlpCollectorStandIn> StartAsync()
    {
        var collector = new OtlpCollectorStandIn();
        await collector._app.StartAsync();
        collector.Endpoint = collector._app.Urls.First();
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static IEnumerable<ReceivedSpan> ReadRequest(byte[] message)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, value) in Fields(message))
            if (field == 1) spans.AddRange(ReadResourceSpans(value));
        return spans;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static IEnumerable<ReceivedSpan> ReadResourceSpans(byte[] message)
    {
        var service = "";
        var scopes = new List<byte[]>();
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
                // Resource { repeated KeyValue attributes = 1; }
                foreach (var (f, kv) in Fields(value))
                    if (f == 1 && ReadKeyValue(kv) is ("service.name", var name)) service = name;
            if (field == 2) scopes.Add(value);
        }
        foreach (var scope in scopes)
        {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            var scopeName = "";
            var spans = new List<byte[]>();
            foreach (var (field, value) in Fields(scope))
            {
                if (field == 1) scopeName = Fields(value).Where(f => f.Field == 1).Select(f => Encoding.UTF8.GetString(f.Value)).FirstOrDefault() ?? "";
                if (field == 2) spans.Add(value);
            }
            foreach (var span in spans) yield return ReadSpan(service, scopeName, span);
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; }
    private static ReceivedSpan ReadSpan(string service, string scope, byte[] message)
    {
        string trace = "", id = "", parent = "", name = "";
        var kind = 0;
        foreach (var (field, value) in Fields(message))
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower(value); break;
                case 2: id = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 6: kind = (int)ReadVarint(value, 0, out _); break;
            }
        return new ReceivedSpan(service, scope, trace, id, parent, name, kind);
    }

    // KeyValue { string key = 1; AnyValue value = 2; } AnyValue { string string_value = 1; ... }
    private static (string Key, string Value) ReadKeyValue(byte[] message)
    {
        string key = "", value = "";
        foreach (var (field, bytes) in Fields(message))
        {
            if (field == 1) key = Encoding.UTF8.GetString(bytes);
            if (field == 2) value = Fields(bytes).Where(f => f.Field == 1).Select(f => Encoding.UTF8.GetString(f.Value)).FirstOrDefault() ?? "";
        }
        return (key, value);
    }

    /// <summary>The fields of one protobuf message; a varint field's value is its varint bytes, fixed ones their bytes.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = ReadVarint(message, at, out at);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    var start = at;
                    ReadVarint(message, at, out at);
                    fields.Add((field, message[start..at]));
                    break;
                case 1:
                    fields.Add((field, message[at..(at + 8)]));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, at, out at);
                    fields.Add((field, message[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    fields.Add((field, message[at..(at + 4)]));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {tag & 7} at byte {at} is not one OTLP uses.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] buffer, int at, out int next)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = buffer[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        next = at;
        return value;
    }
}

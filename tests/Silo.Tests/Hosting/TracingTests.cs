using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using Switchboard.Silo.Hosting;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Hosting;

/// <summary>Traces are off unless an OTLP endpoint is configured; spans never carry a query string or a long digit run.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Without_an_endpoint_no_tracer_runs_and_with_one_it_does()
    {
        await using (var plain = await SiloApp.StartAsync())
            Assert.Null(plain.App.Services.GetService<TracerProvider>());
        await using var traced = await SiloApp.StartAsync(new Dictionary<string, string?> { [Tracing.EndpointKey] = "http://127.0.0.1:9/" });
        Assert.NotNull(traced.App.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("http://collector:4318", "http/protobuf", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http/protobuf", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/custom/path", "http/protobuf", "http://collector:4318/custom/path")]
    [InlineData("http://collector:4317", "grpc", "http://collector:4317/")]
    public void The_traces_path_is_added_to_a_bare_http_endpoint(string endpoint, string protocol, string expected) =>
        Assert.Equal(expected, Tracing.TracesEndpoint(endpoint, protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf).ToString());

    [Fact]
    public async Task A_bad_endpoint_stops_the_start_with_the_setting_named()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => SiloApp.StartAsync(new Dictionary<string, string?> { [Tracing.EndpointKey] = "collector:4318" }));
        Assert.Contains(Tracing.EndpointKey, e.ToString());
    }

    [Fact]
    public void Urls_lose_their_query_and_digit_runs_before_export()
    {
        using var activity = new Activity("send");
        activity.SetTag("url.full", "https://rbm.example/v1/phones/+919800000077/agentMessages?messageId=1&agentId=a");
        activity.SetTag("url.path", "/v1/phones/+919800000077/agentMessages");
        activity.SetTag("url.query", "address=919800000077");
        new Tracing.RedactUrls().OnEnd(activity);
        Assert.Equal("https://rbm.example/v1/phones/+*/agentMessages", activity.GetTagItem("url.full"));
        Assert.Equal("/v1/phones/+*/agentMessages", activity.GetTagItem("url.path"));
        Assert.Null(activity.GetTagItem("url.query"));
    }
}

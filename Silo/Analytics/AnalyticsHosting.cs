using OpenTelemetry.Metrics;
using Switchboard.Analytics.Metrics;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Analytics;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Silo.Hosting;
using Switchboard.Silo.Security;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// Analytics in every role (<c>Analytics:Enabled</c>, default true). A process that keeps the store with the embedded
/// transport publishes straight into its writer (<see cref="LocalInteractionEvents"/>); a gateway, and every process
/// with Event Hubs, through <see cref="StreamedInteractionEvents"/> onto the <see cref="InteractionStreams.Provider"/>
/// stream provider: memory streams into the silo by default, Azure Event Hubs when <c>ConnectionStrings:EventHubs</c> is set. A process that hosts
/// grains also keeps the store (DuckDB in the data folder), serves <c>/analytics</c>, <c>/api/analytics</c> and the
/// Prometheus scrape endpoint <c>/metrics</c>.
/// </summary>
public static class AnalyticsHosting
{
    public const string MetricsPath = "/metrics";

    public static bool Enabled(IConfiguration config) => config.GetValue("Analytics:Enabled", true);

    public static WebApplicationBuilder AddAnalytics(this WebApplicationBuilder builder, bool hostsGrains)
    {
        var config = builder.Configuration;
        if (!Enabled(config)) return builder;
        var eventHubs = EventHubsStreaming.From(config, hostsGrains);
        var services = builder.Services;
        if (hostsGrains)
        {
            var costs = config.GetSection(CostModel.Section).Get<CostModel>() ?? new CostModel();
            costs.Validate();
            services.AddSingleton(costs);
            services.AddSingleton<InteractionMeters>();
            // Storage:Provider=memory (benchmarks, demos) keeps the events in memory too.
            var path = string.Equals(config["Storage:Provider"], "memory", StringComparison.OrdinalIgnoreCase) ? null
                : Path.Combine(DataFolder.Resolve(config, Directory.GetCurrentDirectory()), EventStore.FileName);
            services.AddSingleton(sp => new AnalyticsStore(path!, sp.GetRequiredService<CostModel>(), sp.GetRequiredService<InteractionMeters>(),
                sp.GetRequiredService<ILogger<AnalyticsStore>>()));
            services.AddSingleton<IInteractionSink>(sp => sp.GetRequiredService<AnalyticsStore>());
            // Registered before the publisher: hosted services stop in reverse, so the publisher drains into a store still open.
            services.AddHostedService(sp => sp.GetRequiredService<AnalyticsStore>());
            builder.UseOrleans(silo =>
            {
                // One queue polled twice a second: analytics may lag a moment; the turns must not pay for idle polling.
                if (eventHubs is null)
                    silo.AddMemoryStreams(InteractionStreams.Provider, b =>
                    {
                        b.ConfigurePartitioning(1);
                        b.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(500)));
                    });
                else eventHubs.AddTo(silo);
            });
            AnalyticsSession.Add(services);
            services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(InteractionMeters.MeterName).AddPrometheusExporter());
        }
        else
        {
            builder.UseOrleansClient(client =>
            {
                if (eventHubs is null) client.AddMemoryStreams(InteractionStreams.Provider, b => b.ConfigurePartitioning(1));
                else eventHubs.AddTo(client);
            });
        }
        if (hostsGrains && eventHubs is null)
        {
            // Embedded: this process keeps the store, so its own events skip the stream (the gateways' still use it).
            services.AddSingleton<IInteractionEvents>(sp => new LocalInteractionEvents(sp.GetRequiredService<AnalyticsStore>()));
            return builder;
        }
        services.AddSingleton<StreamedInteractionEvents>();
        services.AddSingleton<IInteractionEvents>(sp => sp.GetRequiredService<StreamedInteractionEvents>());
        services.AddHostedService(sp => sp.GetRequiredService<StreamedInteractionEvents>());
        return builder;
    }

    public static WebApplication MapAnalytics(this WebApplication app, bool hostsGrains)
    {
        if (!Enabled(app.Configuration)) return app;
        if (!hostsGrains)
        {
            app.MapAnalyticsEvents();
            return app;
        }
        app.MapAnalyticsApi();
        app.MapAnalyticsPage();
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(AdminScopes.Read);
        return app;
    }
}

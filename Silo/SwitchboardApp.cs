using Orleans.Dashboard;
using Switchboard.Channels.Common;
using Switchboard.Channels.Journeys;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Channels.WebChat;
using Switchboard.Channels.WhatsApp;
using Switchboard.Grains.Dialog;
using Switchboard.Grains.Journeys;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Silo.Admin;
using Switchboard.Silo.Analytics;
using Switchboard.Silo.Admission;
using Switchboard.Silo.Hosting;
using Switchboard.Silo.Security;

namespace Switchboard.Silo;

/// <summary>
/// Builds the engine in the role configuration <c>Role</c> names (<see cref="SwitchboardRole"/>): <c>all</c> (default) is
/// the silo, the admin API, the dashboard and every channel in one process on one port; <c>silo</c> leaves out the
/// channels; <c>gateway</c> hosts the channels on an Orleans client. Endpoint protection (<see cref="PublicEndpoints"/>,
/// the fallback policy) is the same in every role. <c>Program.cs</c> runs it; tests build it with their own configuration on free ports.
/// </summary>
public static class SwitchboardApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json and the bots ship beside the app; data (Storage:Path) goes where the engine was started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.AddSecretsDirectory(); // Secrets:Directory, e.g. a mounted Kubernetes Secret: read first, re-read on change
        builder.AddListeners(); // urls (default http://127.0.0.1:8080), and Admin:Urls when operators get their own
        var role = SwitchboardRoles.From(builder.Configuration);

        builder.AddAdminAuthorization();
        builder.Services.AddProblemDetails();
        builder.AddAdmission(turnsRunHere: role.HostsGrains());
        builder.AddTrustedProxies();
        if (role.HostsGrains()) AddGrainHost(builder);
        else builder.AddSwitchboardClient();
        if (role.HostsChannels()) AddChannels(builder);
        builder.AddAnalytics(role.HostsGrains());
        builder.AddTracing(role);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAdminListener();
        app.UseAdmission();
        app.UseTrustedProxies();
        // Deny by default, in every role: only PublicEndpoints answer without the admin key.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAdminAudit();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        if (role.HostsGrains()) MapGrainHost(app);
        if (role.HostsChannels()) MapChannels(app);
        app.MapAnalytics(role.HostsGrains());
        return app;
    }

    /// <summary>The silo: grains, storage, the dialog engine the grains run.</summary>
    private static void AddGrainHost(WebApplicationBuilder builder)
    {
        builder.AddSwitchboardSilo();
        builder.Services.AddDialogEngine(builder.Configuration);
        builder.Services.AddJourneys(builder.Configuration);
        // The outbox grains keep entries by the policy the channels send by (AddOutbox registers it again when co-hosted: same section).
        var outbox = builder.Configuration.GetSection(OutboxPolicy.Section).Get<OutboxPolicy>() ?? new OutboxPolicy();
        outbox.Validate();
        builder.Services.AddSingleton(outbox);
    }

    /// <summary>Channels: each registers its services here (AddWhatsApp, AddWebChat, AddSms, AddRcs, AddVoice).</summary>
    private static void AddChannels(WebApplicationBuilder builder)
    {
        builder.AddVoice();
        builder.AddVoiceAgent();
        builder.AddJourneyCalls();
        builder.AddWhatsApp();
        builder.AddWebChat();
        builder.AddSms();
        builder.AddRcs();
    }

    /// <summary>The admin API and the dashboard, beside the grains they read.</summary>
    private static void MapGrainHost(WebApplication app)
    {
        app.MapAdminApi();
        app.MapKeyRotation();
        app.MapJourneyApi();
        if (app.Configuration.GetValue("Dashboard:Enabled", true))
            app.MapOrleansDashboard(routePrefix: AdminKeyAuthenticationHandler.DashboardPath).RequireAuthorization(AdminScopes.Read);
    }

    /// <summary>Channels: each maps its endpoints here (MapWhatsApp, MapWebChat, MapSms, MapRcs), and the channels' operator calls (/api/voice, /api/outbox).</summary>
    private static void MapChannels(WebApplication app)
    {
        app.MapVoiceAgent();
        app.MapOutbox();
        app.MapWhatsApp();
        app.MapWebChat();
        app.MapSms();
        app.MapRcs();
    }
}

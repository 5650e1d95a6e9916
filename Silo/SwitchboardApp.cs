using Orleans.Dashboard;
using Switchboard.Channels.Common;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Channels.WebChat;
using Switchboard.Channels.WhatsApp;
using Switchboard.Grains.Dialog;
using Switchboard.Silo.Admin;
using Switchboard.Silo.Hosting;
using Switchboard.Silo.Security;

namespace Switchboard.Silo;

/// <summary>
/// Builds the whole engine: the silo, the admin API, the dashboard and every channel, in one process on one port.
/// <c>Program.cs</c> runs it; tests build it with their own configuration on free ports.
/// </summary>
public static class SwitchboardApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json and the bots ship beside the app; data (Storage:Path) goes where the engine was started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://127.0.0.1:8080");

        builder.AddSwitchboardSilo();
        builder.AddAdminAuthorization();
        builder.Services.AddProblemDetails();
        builder.Services.AddDialogEngine(builder.Configuration);
        // Channels: each registers its services here (AddWhatsApp, AddWebChat, AddSms, AddRcs, AddVoice).
        builder.AddVoice();
        builder.AddVoiceAgent();
        builder.AddWhatsApp();
        builder.AddWebChat();
        builder.AddSms();
        builder.AddRcs();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // Deny by default: only PublicEndpoints answer without the admin key.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAdminAudit();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapAdminApi();
        // Channels: each maps its endpoints here (MapWhatsApp, MapWebChat, MapSms, MapRcs).
        app.MapVoiceAgent();
        app.MapOutbox();
        app.MapWhatsApp();
        app.MapWebChat();
        app.MapSms();
        app.MapRcs();
        if (app.Configuration.GetValue("Dashboard:Enabled", true))
            app.MapOrleansDashboard(routePrefix: AdminKeyAuthenticationHandler.DashboardPath).RequireAuthorization(AdminScopes.Read);
        return app;
    }
}

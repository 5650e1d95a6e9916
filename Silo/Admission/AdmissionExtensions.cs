using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Channels.Voice.Calls;

namespace Switchboard.Silo.Admission;

/// <summary>Registers admission control (<see cref="AdmissionOptions"/>, validated at start) and puts it at the edge.</summary>
public static class AdmissionExtensions
{
    /// <param name="turnsRunHere">The process hosts the grains (roles all and silo): the in-flight default is 2 per core, not a gateway's 8.</param>
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder, bool turnsRunHere)
    {
        builder.Services.AddOptions<AdmissionOptions>().Bind(builder.Configuration.GetSection(AdmissionOptions.Section))
            .PostConfigure(o => o.Edge.MaxInFlightTurns ??= AdmissionOptions.EdgeLimits.DefaultInFlightTurns(turnsRunHere))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TurnAdmission>();
        builder.Services.AddKeyedSingleton<RateLimiter>(InboundCalls.AdmissionKey, (sp, _) => new CallAdmission(sp.GetRequiredService<TurnAdmission>()));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>>(sp =>
            new ConfigureOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>(o => EdgeAdmission.Configure(o, sp.GetRequiredService<TurnAdmission>())));
        return builder;
    }

    /// <summary>After routing (the limiter picks by endpoint), before authentication (refused load costs no key check).</summary>
    public static WebApplication UseAdmission(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AdmissionOptions>>().Value.Enabled) app.UseRateLimiter();
        return app;
    }
}

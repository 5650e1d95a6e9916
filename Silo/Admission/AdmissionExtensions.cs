using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Channels.Voice.Calls;

namespace Switchboard.Silo.Admission;

/// <summary>Registers admission control (<see cref="AdmissionOptions"/>, validated at start) and puts it at the edge.</summary>
public static class AdmissionExtensions
{
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>().Bind(builder.Configuration.GetSection(AdmissionOptions.Section))
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

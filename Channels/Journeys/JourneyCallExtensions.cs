using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Voice.Agent;

namespace Switchboard.Channels.Journeys;

public static class JourneyCallExtensions
{
    /// <summary>
    /// The journeys' outbound side on a channel host: pacing of journey messages and calls in the outbox dispatcher
    /// (<see cref="JourneyPacing"/>, section <c>Journeys:Pacing</c>), and journey call steps placed by this gateway when it
    /// runs the voice agent (it has a UAC); otherwise they wait in the outbox.
    /// </summary>
    public static WebApplicationBuilder AddJourneyCalls(this WebApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(JourneyPacing)))
        {
            var pacing = builder.Configuration.GetSection(JourneyPacingOptions.Section).Get<JourneyPacingOptions>() ?? new JourneyPacingOptions();
            if (pacing.PlanRefresh <= TimeSpan.Zero) throw new InvalidOperationException("Journeys:Pacing:PlanRefresh must be positive.");
            builder.Services.AddSingleton(pacing);
            builder.Services.AddSingleton<JourneyPacing>();
            builder.Services.AddSingleton<IOutboxAdmission>(sp => sp.GetRequiredService<JourneyPacing>());
        }
        if (!builder.Services.Any(d => d.ServiceType == typeof(ProactiveCalls))) return builder;
        builder.Services.AddSingleton<JourneyCallChannel>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<JourneyCallChannel>());
        return builder;
    }
}

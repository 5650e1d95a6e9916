using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Voice.Agent;

namespace Switchboard.Channels.Journeys;

public static class JourneyCallExtensions
{
    /// <summary>Journey call steps are placed by this gateway when it runs the voice agent (it has a UAC); otherwise they wait in the outbox.</summary>
    public static WebApplicationBuilder AddJourneyCalls(this WebApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(ProactiveCalls))) return builder;
        builder.Services.AddSingleton<JourneyCallChannel>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<JourneyCallChannel>());
        return builder;
    }
}

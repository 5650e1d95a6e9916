using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Switchboard.Grains.Journeys;

public static class JourneyServiceExtensions
{
    /// <summary>The journey directory, loaded while the host starts: a bad journey file stops the start with file:line: reason.</summary>
    public static IServiceCollection AddJourneys(this IServiceCollection services)
    {
        services.AddSingleton<JourneyDirectory>();
        services.AddHostedService<JourneyWarmup>();
        return services;
    }

    private sealed class JourneyWarmup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<JourneyDirectory>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

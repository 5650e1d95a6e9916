using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Grains.Dialog;

namespace Switchboard.Grains.Journeys;

public static class JourneyServiceExtensions
{
    /// <summary>The journey directory, loaded while the host starts: a bad journey file stops the start with file:line: reason.</summary>
    public static IServiceCollection AddJourneys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new JourneyOptions();
        configuration.GetSection(JourneyOptions.Section).Bind(options);
        if (options.EventPollInterval < TimeSpan.Zero) throw new InvalidOperationException("Journeys:EventPollInterval must not be negative (0: no backup poll).");
        services.AddSingleton(options);
        // Journeys live beside the bots (Bots:Path), whether or not the dialog engine runs.
        var bots = new DialogOptions();
        configuration.GetSection(DialogOptions.Section).Bind(bots);
        var path = !Path.IsPathRooted(bots.Path) && !Directory.Exists(bots.Path) ? Path.Combine(AppContext.BaseDirectory, bots.Path) : bots.Path;
        services.AddSingleton(sp => new JourneyDirectory(sp.GetRequiredService<Tenancy.TenantDirectory>(), path));
        services.AddHostedService<JourneyWarmup>();
        services.AddSingleton<JourneyRunCache>();
        services.AddSingleton<JourneyStepCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<JourneyStepCounter>());
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

/// <summary>Section <c>Journeys</c>.</summary>
public sealed class JourneyOptions
{
    public const string Section = "Journeys";

    /// <summary>
    /// The backup poll of an enrolment waiting for a reply or an intent: the customer's turns wake it (a durable push,
    /// <see cref="JourneyWaitersGrain"/>), and its deadline reads the facts anyway; the poll only bounds how late a push
    /// lost in a crash (a one-way message in flight when a silo dies) is noticed. 0: no poll (the deadline then).
    /// </summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromHours(1);
}

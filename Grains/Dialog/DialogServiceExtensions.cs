using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Switchboard.Dialog;
using Switchboard.Dialog.Llm;
using Switchboard.Dialog.Nlu;
using Switchboard.Grains.Conversation;

namespace Switchboard.Grains.Dialog;

public static class DialogServiceExtensions
{
    /// <summary>
    /// Replaces the echo engine (not an engine the host registered itself) with the dialog engine (section <c>Bots</c>, see <see cref="DialogOptions"/>). Bots load and
    /// train when the host starts, so a bad bot file stops the start with its file, line and reason.
    /// </summary>
    public static IServiceCollection AddDialogEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DialogOptions();
        configuration.GetSection(DialogOptions.Section).Bind(options);
        if (!options.Enabled) return services;
        // A host or test that registered its own engine keeps it; only the echo default is replaced.
        if (services.Any(d => d.ServiceType == typeof(IConversationEngineProvider) && d.ImplementationType != typeof(EchoConversationEngine)))
            return services;
        if (!Path.IsPathRooted(options.Path) && !Directory.Exists(options.Path))
            options.Path = Path.Combine(AppContext.BaseDirectory, options.Path);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DialogBackend(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, sp.GetRequiredService<TimeProvider>()));
        // The host's own encoder wins; otherwise the embedded one when the deployment turns it on (Bots:Encoder:Enabled).
        if (options.Encoder.Enabled && !services.Any(d => d.ServiceType == typeof(ISentenceEmbedder)))
            services.AddSingleton<ISentenceEmbedder>(_ => new CachingSentenceEmbedder(new MiniLmSentenceEmbedder(), options.Encoder.CacheSize));
        // The deployment's own language model, only when it names one (Bots:Llm:Endpoint and :Model).
        if (!string.IsNullOrWhiteSpace(options.Llm.Endpoint) && !string.IsNullOrWhiteSpace(options.Llm.Model))
            services.AddSingleton(sp => new LlmCommandGenerator(
                new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential(options.Llm.ApiKey), new OpenAI.OpenAIClientOptions
                {
                    Endpoint = new Uri(options.Llm.Endpoint),
                    RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0), // a turn waits for no retries: the embedded path answers instead
                }).GetChatClient(options.Llm.Model).AsIChatClient(),
                TimeSpan.FromSeconds(options.Llm.TimeoutSeconds), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DialogEngineProvider>();
        services.Replace(ServiceDescriptor.Singleton<IConversationEngineProvider>(sp => sp.GetRequiredService<DialogEngineProvider>()));
        // First of all hosted services: a bad bot stops the start before the silo opens its ports.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, BotWarmup>());
        return services;
    }

    /// <summary>Builds the provider (loads and trains every bot) while the host starts rather than at the first turn.</summary>
    private sealed class BotWarmup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<DialogEngineProvider>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Switchboard.Channels.Outbox;

namespace Switchboard.Channels.WhatsApp;

public static class WhatsAppExtensions
{
    /// <summary>The WhatsApp channel: options from <c>WhatsApp:</c> (validated now), the Graph API client with retries, the webhook processor.</summary>
    public static IHostApplicationBuilder AddWhatsApp(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(WhatsAppOptions.Section).Get<WhatsAppOptions>() ?? new WhatsAppOptions();
        options.Validate();
        builder.AddOutbox();
        builder.Services.AddSingleton(options);
        builder.Services.AddHttpClient(WhatsAppCloudApi.HttpClientName)
            .AddResilienceHandler("whatsapp-send", pipeline =>
            {
                // Only answers that say "not taken" are retried here (429, 5xx): a timeout is ambiguous and left to the outbox.
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(1, options.SendRetries),
                    Delay = options.SendRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(options.SendRetries > 0 && args.Outcome.Result is { } r
                        && ((int)r.StatusCode == 429 || (int)r.StatusCode >= 500)),
                });
                pipeline.AddTimeout(options.SendTimeout);
            });
        builder.Services.AddSingleton<WhatsAppCloudApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<WhatsAppCloudApi>());
        builder.Services.AddSingleton<WhatsAppWebhook>();
        return builder;
    }
}

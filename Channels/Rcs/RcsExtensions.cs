using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Switchboard.Channels.Outbox;

namespace Switchboard.Channels.Rcs;

public static class RcsExtensions
{
    public static IHostApplicationBuilder AddRcs(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RcsOptions.Section).Get<RcsOptions>() ?? new RcsOptions();
        options.Validate();
        builder.AddOutbox();
        builder.Services.AddSingleton(options);
        builder.Services.AddHttpClient(RcsApi.HttpClientName)
            .AddResilienceHandler("rcs-send", pipeline =>
            {
                // RBM deduplicates on messageId, so retrying a POST here cannot send twice.
                pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 2, BackoffType = DelayBackoffType.Exponential });
                pipeline.AddTimeout(options.SendTimeout);
            });
        builder.Services.AddSingleton<RcsApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<RcsApi>());
        builder.Services.AddSingleton<RcsWebhook>();
        return builder;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Switchboard.Channels.Outbox;

namespace Switchboard.Channels.Sms;

public static class SmsExtensions
{
    public static IHostApplicationBuilder AddSms(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SmsOptions.Section).Get<SmsOptions>() ?? new SmsOptions();
        options.Validate();
        builder.AddOutbox();
        builder.Services.AddSingleton(options);
        builder.Services.AddHttpClient(SmsApi.HttpClientName)
            .AddResilienceHandler("sms-send", pipeline =>
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    BackoffType = DelayBackoffType.Exponential,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } r && ((int)r.StatusCode == 429 || (int)r.StatusCode >= 500)),
                });
                pipeline.AddTimeout(options.SendTimeout);
            });
        builder.Services.AddSingleton<SmsApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<SmsApi>());
        builder.Services.AddSingleton<SmsWebhook>();
        return builder;
    }
}

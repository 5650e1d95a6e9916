using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Channels.Common;
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
        builder.Services.AddTurnCalls(); // how the channel hands a turn to the engine (idempotent)
        builder.Services.AddProviderSendClient(SmsApi.HttpClientName, retries: 2, options.SendTimeout);
        builder.Services.AddSingleton<SmsApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<SmsApi>());
        builder.Services.AddSingleton<IReplyRenderer, SmsReplyRenderer>();
        builder.Services.AddSingleton<SmsWebhook>();
        return builder;
    }
}

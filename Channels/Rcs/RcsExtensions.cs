using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Channels.Common;
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
        builder.Services.AddTurnCalls(); // how the channel hands a turn to the engine (idempotent)
        // RBM deduplicates on the messageId we send, so retrying a POST here cannot send twice.
        builder.Services.AddProviderSendClient(RcsApi.HttpClientName, retries: 2, options.SendTimeout, retryAmbiguous: true);
        builder.Services.AddSingleton<RcsApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<RcsApi>());
        builder.Services.AddSingleton<IReplyRenderer, RcsReplyRenderer>();
        builder.Services.AddSingleton<RcsWebhook>();
        return builder;
    }
}

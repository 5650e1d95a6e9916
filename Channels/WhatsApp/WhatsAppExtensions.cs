using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Channels.Common;
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
        builder.Services.AddTurnCalls(); // how the channel hands a turn to the engine (idempotent)
        builder.Services.AddProviderSendClient(WhatsAppCloudApi.HttpClientName, options.SendRetries, options.SendTimeout, options.SendRetryDelay);
        builder.Services.AddSingleton<WhatsAppCloudApi>();
        builder.Services.AddSingleton<IOutboundChannel>(sp => sp.GetRequiredService<WhatsAppCloudApi>());
        builder.Services.AddSingleton<IReplyRenderer, WhatsAppReplyRenderer>();
        builder.Services.AddSingleton<WhatsAppWebhook>();
        return builder;
    }
}

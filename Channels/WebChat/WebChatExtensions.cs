using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;

namespace Switchboard.Channels.WebChat;

public static class WebChatExtensions
{
    public static IHostApplicationBuilder AddWebChat(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(WebChatOptions.Section).Get<WebChatOptions>() ?? new WebChatOptions();
        options.Validate();
        builder.AddOutbox();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<WebChatVisitorLimits>();
        builder.Services.AddTurnCalls(); // how the channel hands a turn to the engine (idempotent)
        return builder;
    }
}

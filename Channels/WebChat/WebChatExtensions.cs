using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        return builder;
    }
}

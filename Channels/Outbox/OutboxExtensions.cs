using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Outbox;

public static class OutboxExtensions
{
    /// <summary>The durable outbox and its dispatcher; every channel's <c>AddX</c> calls it, registration happens once.</summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(OutboxClient))) return builder;
        // Webhooks route by tenant; a gateway without the silo loads the tenants itself (the silo's when co-hosted).
        builder.Services.AddTenantDirectory(builder.Configuration);
        var policy = builder.Configuration.GetSection(OutboxPolicy.Section).Get<OutboxPolicy>() ?? new OutboxPolicy();
        policy.Validate();
        var dispatcher = builder.Configuration.GetSection(OutboxPolicy.Section + ":Dispatcher").Get<DispatcherOptions>() ?? new DispatcherOptions();
        if (dispatcher.PollInterval <= TimeSpan.Zero || dispatcher.BatchSize < 1 || dispatcher.Lease <= TimeSpan.Zero)
            throw new InvalidOperationException("Outbox:Dispatcher needs a positive PollInterval, BatchSize and Lease.");
        var confirmations = builder.Configuration.GetSection(WrittenConfirmationOptions.Section).Get<WrittenConfirmationOptions>() ?? new WrittenConfirmationOptions();
        confirmations.ParsedChannels();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(policy);
        builder.Services.AddSingleton(dispatcher);
        builder.Services.AddSingleton<OutboxSignal>();
        // Signalled by a gateway's Orleans client only; in a process that hosts the grains nothing signals it.
        builder.Services.TryAddSingleton<Switchboard.Channels.Common.SiloConnectionLoss>();
        builder.Services.AddSingleton<OutboxCalls>();
        builder.Services.AddSingleton<OutboxClient>();
        builder.Services.AddSingleton(confirmations);
        builder.Services.AddSingleton<WrittenConfirmations>();
        builder.Services.AddHostedService<OutboxDispatcher>();
        builder.Services.AddSingleton<ReplyDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplyDispatcher>());
        return builder;
    }
}

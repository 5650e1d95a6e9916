using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Pii;
using Switchboard.Tenancy;

namespace Switchboard.Grains;

public static class SwitchboardCoreExtensions
{
    /// <summary>
    /// Registers what the grains need: tenants (section <c>Tenants</c>), the PII keys, session tokens, and the echo
    /// engine unless another <see cref="IConversationEngineProvider"/> is registered first.
    /// </summary>
    public static IServiceCollection AddSwitchboardCore(this IServiceCollection services, IConfiguration configuration, CustomerKeys keys)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddTenantDirectory(configuration);
        services.AddSingleton(keys);
        services.AddSingleton(keys.Recipients());
        services.AddSingleton(sp => new SessionTokens(keys.SessionTokenKeys, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AddressPseudonyms>();
        services.AddSingleton<IdentityBindingCache>();
        services.AddSingleton<Customers.CustomerGrainServices>();
        services.TryAddSingleton<IConversationEngineProvider, EchoConversationEngine>();
        // Analytics off unless the host registers a publisher (Silo/Analytics does).
        services.TryAddSingleton<Interfaces.Analytics.IInteractionEvents>(Interfaces.Analytics.NoInteractionEvents.Instance);
        return services;
    }
}

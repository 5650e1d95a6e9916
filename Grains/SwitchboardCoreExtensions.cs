using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Pii;
using Switchboard.Grains.Tenancy;

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
        services.TryAddSingleton(_ => new TenantDirectory(ReadTenants(configuration)));
        services.AddSingleton(keys);
        services.AddSingleton(sp => new SessionTokens(keys.SessionTokenKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AddressPseudonyms>();
        services.TryAddSingleton<IConversationEngineProvider, EchoConversationEngine>();
        return services;
    }

    /// <summary>Tenants as <c>Tenants:{id}:…</c>; the id is the section name unless <c>Id</c> is set.</summary>
    public static List<TenantOptions> ReadTenants(IConfiguration configuration)
    {
        var list = new List<TenantOptions>();
        foreach (var section in configuration.GetSection("Tenants").GetChildren())
        {
            var t = new TenantOptions();
            section.Bind(t);
            if (string.IsNullOrEmpty(t.Id)) t.Id = section.Key;
            list.Add(t);
        }
        if (list.Count == 0) list.Add(new TenantOptions { Id = "default", DisplayName = "Default", Default = true });
        return list;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Tenancy;

/// <summary>Reads the tenants from section <c>Tenants</c>; a silo and a gateway load the same directory themselves.</summary>
public static class TenantConfiguration
{
    /// <summary>The keys of one list per channel that tenants were configured with before <c>Endpoints</c>; still read.</summary>
    private static readonly (string Key, Channel Channel)[] EarlierEndpointKeys =
    [
        ("WhatsAppPhoneNumberIds", Channel.WhatsApp),
        ("SipNumbers", Channel.Voice),
        ("WebChatSiteKeys", Channel.WebChat),
        ("SmsNumbers", Channel.Sms),
        ("RcsAgentIds", Channel.Rcs),
    ];

    /// <summary>Registers the <see cref="TenantDirectory"/> unless one is registered already.</summary>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => new TenantDirectory(Read(configuration)));
        return services;
    }

    /// <summary>Tenants as <c>Tenants:{id}:…</c>; the id is the section name unless <c>Id</c> is set.</summary>
    public static List<TenantOptions> Read(IConfiguration configuration)
    {
        var list = new List<TenantOptions>();
        foreach (var section in configuration.GetSection("Tenants").GetChildren())
        {
            var t = new TenantOptions();
            section.Bind(t);
            if (string.IsNullOrEmpty(t.Id)) t.Id = section.Key;
            foreach (var (key, channel) in EarlierEndpointKeys)
                foreach (var value in section.GetSection(key).GetChildren())
                    if (value.Value is { Length: > 0 } v) t.Endpoints.Add(new TenantEndpoint(channel, v));
            list.Add(t);
        }
        if (list.Count == 0) list.Add(new TenantOptions { Id = "default", DisplayName = "Default", Default = true });
        return list;
    }
}

using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Switchboard.Silo.Security;

/// <summary>
/// <c>Admin:TrustedProxies</c> (addresses of the reverse proxies in front of the engine): a request whose TCP peer is one
/// of them is taken to come from the last address its <c>X-Forwarded-For</c> names, so the failed-key throttle counts the
/// guesser, not the proxy. Without the setting <c>X-Forwarded-For</c> is ignored (anyone could write it).
/// </summary>
public static class TrustedProxies
{
    public const string Section = "Admin:TrustedProxies";

    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection(Section).Get<string[]>() ?? [];
        var addresses = proxies.Select(p => IPAddress.TryParse(p, out var a) ? a : throw new InvalidOperationException($"{Section} holds '{p}', which is not an IP address.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // Only the hop our own proxy appended; and only the proxies named (the framework trusts loopback by default).
            o.ForwardLimit = 1;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var a in addresses) o.KnownProxies.Add(a);
        });
        return builder;
    }

    /// <summary>Before authentication, so the throttle sees the client's address.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if ((app.Configuration.GetSection(Section).Get<string[]>() ?? []).Length > 0) app.UseForwardedHeaders();
        return app;
    }
}

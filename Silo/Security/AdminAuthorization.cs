using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Channels.Common;

namespace Switchboard.Silo.Security;

/// <summary>
/// Deny by default: the fallback policy, which ASP.NET Core applies to every endpoint without its own authorization
/// metadata, lets through only <see cref="PublicEndpoints"/> and callers with a valid admin key. Endpoints that need
/// a narrower scope say so with <c>RequireAuthorization(AdminScopes.X)</c>.
/// </summary>
public static class AdminAuthorization
{
    public static WebApplicationBuilder AddAdminAuthorization(this WebApplicationBuilder builder)
    {
        var admin = AdminOptions.Resolve(builder.Configuration, Console.Out);
        builder.Services.AddSingleton(admin);
        var keyring = AdminKeyring.FromConfiguration(builder.Configuration, admin);
        builder.Services.AddSingleton(keyring);
        builder.Services.AddHostedService(sp => new AdminKeyWatcher(keyring, builder.Configuration, admin, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => FailedKeyThrottle.FromConfiguration(builder.Configuration, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddAuthentication(AdminKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, PublicOrAdminHandler>();
        builder.Services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new AuthorizationPolicyBuilder(AdminKeyAuthenticationHandler.SchemeName)
                .AddRequirements(new PublicOrAdminRequirement())
                .Build();
            o.DefaultPolicy = new AuthorizationPolicyBuilder(AdminKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
            foreach (var scope in AdminScopes.All)
                o.AddPolicy(scope, p => p.AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
                    .RequireClaim(AdminKeyAuthenticationHandler.ScopeClaim, scope));
        });
        return builder;
    }

    /// <summary>
    /// The scope a call needs: the one its endpoint names (<c>RequireAuthorization(AdminScopes.X)</c>); otherwise
    /// <see cref="AdminScopes.Read"/> to look (GET, HEAD) and <see cref="AdminScopes.Operate"/> to change anything.
    /// </summary>
    public static string RequiredScope(Endpoint endpoint, string method)
    {
        var named = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null && AdminScopes.All.Contains(p));
        return named ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? AdminScopes.Read : AdminScopes.Operate);
    }

    public sealed class PublicOrAdminRequirement : IAuthorizationRequirement;

    private sealed class PublicOrAdminHandler : AuthorizationHandler<PublicOrAdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PublicOrAdminRequirement requirement)
        {
            var http = context.Resource as HttpContext;
            var endpoint = http?.GetEndpoint();
            if (PublicEndpoints.Allows(endpoint))
                context.Succeed(requirement);
            else if (context.User.Identity is { IsAuthenticated: true, AuthenticationType: AdminKeyAuthenticationHandler.SchemeName }
                && (endpoint is null || context.User.HasClaim(AdminKeyAuthenticationHandler.ScopeClaim, RequiredScope(endpoint, http!.Request.Method))))
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}

using Microsoft.AspNetCore.Authorization;
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
        builder.Services.AddSingleton(AdminKeyring.FromConfiguration(builder.Configuration, admin));
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

    public sealed class PublicOrAdminRequirement : IAuthorizationRequirement;

    private sealed class PublicOrAdminHandler : AuthorizationHandler<PublicOrAdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PublicOrAdminRequirement requirement)
        {
            var endpoint = (context.Resource as HttpContext)?.GetEndpoint();
            if (PublicEndpoints.Allows(endpoint) || context.User.Identity is { IsAuthenticated: true, AuthenticationType: AdminKeyAuthenticationHandler.SchemeName })
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Switchboard.Channels.Common;
using Switchboard.Silo.Security;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// The analytics page's login: the admin key typed once into a form (POST, never in a URL), checked against the
/// keyring with the same wrong-key throttle as the API, and remembered as an encrypted, HttpOnly, SameSite=Strict
/// session cookie scoped to <c>/analytics</c> holding the key's name and scopes (not the key). A cookie whose key was
/// removed from the configuration stops working at the next request.
/// </summary>
public static class AnalyticsSession
{
    public const string Scheme = "AnalyticsSession";
    /// <summary>The page's scheme: the bearer admin key when a request carries one (scripts, the scope tests), else the session cookie.</summary>
    public const string PageScheme = "AnalyticsPage";
    public const string Policy = "analytics-session";
    public const string LoginPath = "/analytics/login";
    /// <summary>The claim naming the value of the key a session was opened with (<see cref="AdminKey.Id"/>): rotating the key ends the session.</summary>
    public const string KeyClaim = "key-id";

    public static void Add(IServiceCollection services)
    {
        services.AddAuthentication().AddPolicyScheme(PageScheme, "Analytics page", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.Count > 0 ? AdminKeyAuthenticationHandler.SchemeName : Scheme);
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "switchboard-analytics";
            o.Cookie.Path = "/analytics";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = LoginPath;
            o.ReturnUrlParameter = "returnUrl";
            // A browser is sent to the login form; anything else gets the API's 401 problem, like every protected endpoint.
            o.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Redirect(LoginPath);
                    return Task.CompletedTask;
                }
                return Problems.Unauthorized($"Log in at {LoginPath} with the admin key.").ExecuteAsync(context.HttpContext);
            };
            o.Events.OnRedirectToAccessDenied = context =>
                Problems.Forbidden("forbidden-scope", "This admin key does not have the read scope.").ExecuteAsync(context.HttpContext);
            o.Events.OnValidatePrincipal = context =>
            {
                var keys = context.HttpContext.RequestServices.GetRequiredService<AdminKeyring>();
                var name = context.Principal?.Identity?.Name;
                // A session ends with its key: revoked or rotated (the name gone) or expired.
                var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                var id = context.Principal?.FindFirst(KeyClaim)?.Value;
                if (name is null || !keys.Keys.Any(k => k.Name == name && k.Id == id && !(k.Expires <= now))) context.RejectPrincipal();
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(PageScheme)
            .RequireClaim(AdminKeyAuthenticationHandler.ScopeClaim, AdminScopes.Read));
    }

    /// <summary>Signs in with <paramref name="presented"/>; the problem in words when it is refused.</summary>
    public static async Task<string?> SignInAsync(HttpContext http, string? presented)
    {
        var throttle = http.RequestServices.GetRequiredService<FailedKeyThrottle>();
        var address = http.Connection.RemoteIpAddress;
        if (throttle.RefusedFor(address) is not null) return "Too many wrong keys from this address; try again in a minute.";
        var key = string.IsNullOrEmpty(presented) ? null
            : http.RequestServices.GetRequiredService<AdminKeyring>().Match(presented, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        if (key is null)
        {
            throttle.RecordFailure(address);
            return "That is not a valid admin key.";
        }
        if (!key.Scopes.Contains(AdminScopes.Read)) return "This admin key does not have the read scope the analytics page needs.";
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), new Claim(KeyClaim, key.Id), .. key.Scopes.Select(s => new Claim(AdminKeyAuthenticationHandler.ScopeClaim, s))], Scheme);
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return null;
    }
}

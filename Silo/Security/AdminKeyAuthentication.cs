using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Switchboard.Channels.Common;

namespace Switchboard.Silo.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the <see cref="AdminKeyring"/>. Browsers cannot send
/// a bearer header to the dashboard, so <c>Basic</c> with the key as password is accepted too, and the dashboard's
/// 401 asks for it. Refusals are problem+json: 401 <c>unauthorized</c>, 403 <c>forbidden-scope</c>.
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AdminKeyring keys, FailedKeyThrottle throttle,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string ScopeClaim = "scope";
    public const string DashboardPath = "/dashboard";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request.Headers.Authorization.ToString());
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (throttle.RefusedFor(Context.Connection.RemoteIpAddress) is not null)
            return Task.FromResult(AuthenticateResult.Fail(new ThrottledException()));
        if (keys.Find(presented) is not { } key)
            return Task.FromResult(AuthenticateResult.Fail(new WrongKeyException()));
        if (key.Expires <= time.GetUtcNow())
        {
            // Not counted as a guess: the caller knew a real key. The name tells the operator which one to renew.
            Logger.LogWarning("Admin key {KeyName} presented after it expired at {Expires:o}", key.Name, key.Expires);
            return Task.FromResult(AuthenticateResult.Fail(new ExpiredKeyException()));
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), .. key.Scopes.Select(s => new Claim(ScopeClaim, s))], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var address = Context.Connection.RemoteIpAddress;
        // Counted here, where a protected endpoint refused the caller; a public one never challenges.
        if (result.Failure is WrongKeyException) throttle.RecordFailure(address);
        if (throttle.RefusedFor(address) is { } wait)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Make(429, "too-many-failed-keys", "Too many wrong admin keys.",
                $"This address presented {throttle.Limit} wrong admin keys; try again after Retry-After seconds.").ExecuteAsync(Context);
            return;
        }
        Response.Headers.WWWAuthenticate = Request.Path.StartsWithSegments(DashboardPath)
            ? "Basic realm=\"Switchboard dashboard: the admin key as password\", charset=\"UTF-8\""
            : "Bearer";
        await Problems.Unauthorized(result.Failure?.Message ?? "Send Authorization: Bearer <Admin:ApiKey>.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Forbidden("forbidden-scope", "This admin key does not have the scope this call needs.").ExecuteAsync(Context);

    private sealed class WrongKeyException() : Exception("The admin API key is not valid.");

    private sealed class ExpiredKeyException() : Exception("This admin key has expired; ask for a new one.");

    private sealed class ThrottledException() : Exception("Too many wrong admin keys from this address.");

    private static string? PresentedKey(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':');
            return colon < 0 ? null : pair[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

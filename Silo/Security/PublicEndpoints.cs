using System.Collections.Frozen;
using System.Runtime.CompilerServices;

namespace Switchboard.Silo.Security;

/// <summary>
/// The only endpoints anyone may call without the admin key. Everything else mapped in the engine, whoever maps it,
/// is refused without a key: the fallback authorization policy protects by default (see <see cref="AdminAuthorization"/>).
/// Each of these carries its own proof instead (a provider's signature or verify token) or is for anyone (web chat, health).
/// </summary>
public static class PublicEndpoints
{
    /// <summary>"METHOD route pattern", as the endpoints are mapped.</summary>
    public static readonly FrozenSet<string> All = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "GET /healthz",                // liveness probe: answers {"status":"ok"} and nothing else
        "GET /webhooks/whatsapp",      // Meta's subscription handshake (WhatsApp:VerifyToken)
        "POST /webhooks/whatsapp",     // Meta's deliveries, signed with WhatsApp:AppSecret
        "POST /webhooks/sms",          // the SMS provider's deliveries, signed with Sms:AuthToken
        "POST /webhooks/rcs",          // the RBM provider's deliveries, signed with Rcs:ClientToken
        "GET /chat",                   // the web chat page a visitor's browser opens
        "GET /chat/ws",                // the web chat socket that page opens
        "GET /analytics/login",        // the analytics page's login form (the key goes in a POST body, never a URL)
        "POST /analytics/login");      // checks the key (throttled like the API) and sets the session cookie

    /// <summary>Public by name but for operators, not the internet: with a separate admin listener (<see cref="AdminListener"/>) they answer there.</summary>
    public static readonly FrozenSet<string> OperatorPages = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "GET /analytics/login",
        "POST /analytics/login");

    /// <summary>Whether the internet must reach <paramref name="endpoint"/>: public, and not an operator page.</summary>
    public static bool ServesInternet(Endpoint? endpoint) =>
        Allows(endpoint) && endpoint is RouteEndpoint route && route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { } methods
        && !methods.Any(m => OperatorPages.Contains($"{m} /{route.RoutePattern.RawText!.TrimStart('/')}"));

    // Webhooks ask on every request; an endpoint's answer never changes, so it is worked out once.
    private static readonly ConditionalWeakTable<Endpoint, object> Decided = new();

    public static bool Allows(Endpoint? endpoint) =>
        endpoint is not null && (bool)Decided.GetValue(endpoint, e => Decide(e));

    private static bool Decide(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint route || route.RoutePattern.RawText is not { } pattern) return false;
        var path = "/" + pattern.TrimStart('/');
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        // An endpoint for any method is public only if every method is listed, which none is.
        return methods is { Count: > 0 } && methods.All(m => All.Contains($"{m} {path}"));
    }
}

using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Switchboard.Channels.Common;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Channels.WebChat;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.Silo.Admission;

/// <summary>
/// The global limiter for ASP.NET Core's rate limiter middleware: a request that brings turns (a webhook, <c>/api/turns</c>)
/// takes a lease on <see cref="TurnAdmission.EdgeTurns"/> for as long as it runs, the web chat socket one on
/// <see cref="TurnAdmission.ChatSockets"/> for its life; everything else passes. A refusal is 503 with Retry-After and
/// problem+json type <c>overloaded</c>: nothing was read, so nothing is acknowledged and the provider redelivers.
/// A refusal costs about what a bare <c>GET /healthz</c> does (docs/security.md, "what a refusal costs"): its body is
/// serialised once at start and written as bytes, and a request is classified once per endpoint, not per request.
/// </summary>
public static class EdgeAdmission
{
    public const string ProblemKind = "overloaded";

    /// <summary>"METHOD route pattern" of the endpoints that bring turns.</summary>
    public static readonly FrozenSet<string> TurnEndpoints = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "POST " + WhatsAppEndpoints.Path, "POST " + SmsEndpoints.Path, "POST " + RcsEndpoints.Path, "POST /api/turns");

    public static readonly string ChatSocketEndpoint = "GET " + WebChatEndpoints.SocketPath;

    public static void Configure(RateLimiterOptions options, TurnAdmission admission)
    {
        // The middleware would dispose limiters it thinks idle; these live as long as the process, so it only borrows them.
        var turns = new Borrowed(admission.EdgeTurns);
        var sockets = new Borrowed(admission.ChatSockets);
        var retryAfter = admission.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var turnRefusal = Refusal($"The engine is at capacity; try again in {retryAfter} s.");
        var socketRefusal = Refusal($"The chat is full right now; try again in {retryAfter} s.");
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http) switch
        {
            Kind.Turn => RateLimitPartition.Get("turns", _ => turns),
            Kind.ChatSocket => RateLimitPartition.Get("chat-sockets", _ => sockets),
            _ => RateLimitPartition.GetNoLimiter("other"),
        });
        options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
        options.OnRejected = (context, ct) =>
        {
            var response = context.HttpContext.Response;
            var body = Classify(context.HttpContext) == Kind.ChatSocket ? socketRefusal : turnRefusal;
            response.Headers.RetryAfter = retryAfter;
            response.ContentType = "application/problem+json";
            response.ContentLength = body.Length;
            return new ValueTask(response.Body.WriteAsync(body, ct).AsTask());
        };
    }

    /// <summary>The refusal's problem+json, made once: the same document <see cref="Problems.Unavailable"/> would write.</summary>
    private static byte[] Refusal(string detail) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["type"] = Problems.TypeBase + ProblemKind,
        ["title"] = "Temporarily unavailable.",
        ["status"] = StatusCodes.Status503ServiceUnavailable,
        ["detail"] = detail,
    });

    private enum Kind { Other, Turn, ChatSocket }

    /// <summary>
    /// Kinds by endpoint, for GET and POST (the only methods the limited endpoints take): endpoints are made once, so each
    /// is classified once. Other methods are classified each time, so odd method names cannot grow the cache.
    /// </summary>
    private static readonly ConcurrentDictionary<(Endpoint, bool Post), Kind> Kinds = new();

    private static Kind Classify(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint endpoint) return Kind.Other;
        var method = http.Request.Method;
        if (HttpMethods.IsPost(method)) return Kinds.GetOrAdd((endpoint, true), static key => KindOf((RouteEndpoint)key.Item1, HttpMethods.Post));
        if (HttpMethods.IsGet(method)) return Kinds.GetOrAdd((endpoint, false), static key => KindOf((RouteEndpoint)key.Item1, HttpMethods.Get));
        return KindOf(endpoint, method);
    }

    private static Kind KindOf(RouteEndpoint endpoint, string method)
    {
        if (endpoint.RoutePattern.RawText is not { } pattern) return Kind.Other;
        var name = $"{method} /{pattern.TrimStart('/')}";
        if (TurnEndpoints.Contains(name)) return Kind.Turn;
        return string.Equals(name, ChatSocketEndpoint, StringComparison.OrdinalIgnoreCase) ? Kind.ChatSocket : Kind.Other;
    }

    /// <summary>A limiter shared with <see cref="TurnAdmission"/>: never idle, never disposed by the middleware.</summary>
    private sealed class Borrowed(RateLimiter inner) : RateLimiter
    {
        public override TimeSpan? IdleDuration => null;
        public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);
        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            inner.AcquireAsync(permitCount, cancellationToken);
        protected override void Dispose(bool disposing) { }
        protected override ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
    }
}

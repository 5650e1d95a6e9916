using System.Collections.Frozen;
using System.Globalization;
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
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http) switch
        {
            Kind.Turn => RateLimitPartition.Get("turns", _ => turns),
            Kind.ChatSocket => RateLimitPartition.Get("chat-sockets", _ => sockets),
            _ => RateLimitPartition.GetNoLimiter("other"),
        });
        options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
        options.OnRejected = async (context, ct) =>
        {
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = admission.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            var what = Classify(http) == Kind.ChatSocket ? "The chat is full right now" : "The engine is at capacity";
            await Problems.Unavailable(ProblemKind, $"{what}; try again in {admission.Options.RetryAfterSeconds} s.").ExecuteAsync(http);
        };
    }

    private enum Kind { Other, Turn, ChatSocket }

    private static Kind Classify(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern }) return Kind.Other;
        var key = $"{http.Request.Method} /{pattern.TrimStart('/')}";
        if (TurnEndpoints.Contains(key)) return Kind.Turn;
        return string.Equals(key, ChatSocketEndpoint, StringComparison.OrdinalIgnoreCase) ? Kind.ChatSocket : Kind.Other;
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

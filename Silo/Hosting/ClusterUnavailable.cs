using Microsoft.AspNetCore.Diagnostics;
using Orleans.Serialization;
using Switchboard.Channels.Common;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// A request that failed because the cluster or its store could not be reached (no silo answers, a call timed out, Redis
/// is down) is answered 503 <c>cluster-unavailable</c> with <c>Retry-After</c>, not 500: the sender (Meta, an SMS
/// provider) retries later with the same message id, and the engine processes it once. Nothing was acknowledged, and
/// a turn whose journal append failed was not answered, so nothing is half-written.
/// </summary>
public sealed class ClusterUnavailable(ILogger<ClusterUnavailable> logger) : IExceptionHandler
{
    public const string Kind = "cluster-unavailable";
    public const int RetryAfterSeconds = 5;

    private static readonly HashSet<string> UnavailableTypes =
    [
        "Orleans.Runtime.SiloUnavailableException",
        "Orleans.Runtime.OrleansMessageRejectionException",
        "Orleans.Runtime.Messaging.ConnectionFailedException",
        "Orleans.Runtime.GatewayTooBusyException",
        "Orleans.Runtime.ClientNotAvailableException",
        "Orleans.Runtime.OrleansLifecycleCanceledException",
        "System.TimeoutException",
    ];

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var cause = Cause(exception);
        if (cause is null || http.Response.HasStarted) return false;
        logger.LogWarning("{Method} {Path} refused with 503: the cluster or its store is unavailable ({Cause})", http.Request.Method, http.Request.Path.Value, cause);
        http.Response.Clear();
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        await Problems.Unavailable(Kind, "The engine cannot reach its cluster or its store right now; nothing was recorded. Retry after the time in Retry-After.")
            .ExecuteAsync(http);
        return true;
    }

    /// <summary>The type name of the first exception in the chain that means "unavailable", or null.</summary>
    public static string? Cause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            // An exception type the caller cannot load arrives as a fallback that names the original type.
            var name = e is UnavailableExceptionFallbackException fallback ? fallback.ExceptionType ?? "" : e.GetType().FullName ?? "";
            if (IsUnavailable(name)) return name;
            // A store exception Orleans could not carry across (no codec) still says which type it was.
            if (e is Orleans.Serialization.CodecNotFoundException && e.Message.Contains("StackExchange.Redis.Redis", StringComparison.Ordinal)) return e.Message;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (Cause(inner) is { } found) return found;
        }
        return null;
    }

    private static bool IsUnavailable(string typeName) =>
        UnavailableTypes.Contains(typeName)
        || typeName is "StackExchange.Redis.RedisConnectionException" or "StackExchange.Redis.RedisTimeoutException"
        // The Orleans Redis providers wrap a lost connection in their own types (RedisStorageException, RedisRemindersException).
        || (typeName.StartsWith("Orleans.", StringComparison.Ordinal) && typeName.Contains("Redis", StringComparison.Ordinal) && typeName.EndsWith("Exception", StringComparison.Ordinal));
}

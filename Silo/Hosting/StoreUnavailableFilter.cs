namespace Switchboard.Silo.Hosting;

/// <summary>
/// Turns a lost Redis connection inside a grain call into a <see cref="TimeoutException"/> naming it: Orleans cannot carry
/// StackExchange.Redis's exception types to a gateway (no codec), and a gateway answers a timeout with 503 and
/// Retry-After (<see cref="ClusterUnavailable"/>). The grain did not answer, so the turn was not acknowledged.
/// </summary>
public sealed class StoreUnavailableFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsRedisUnavailable(e))
        {
            throw new TimeoutException($"The grain store is unavailable ({e.GetType().Name}).");
        }
    }

    private static bool IsRedisUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException) return true;
        return false;
    }
}

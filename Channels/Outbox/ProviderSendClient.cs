using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Switchboard.Channels.Outbox;

/// <summary>The named HttpClient a channel sends through: a few quick retries, then a timeout; longer backoff is the outbox's job.</summary>
public static class ProviderSendClient
{
    /// <param name="retryAmbiguous">
    /// False: only answers that say "not taken" (429, 5xx) are retried; a timeout is ambiguous and left to the outbox, since a
    /// second POST could message the customer twice. True: for APIs that deduplicate on a message id we send (RBM).
    /// </param>
    public static void AddProviderSendClient(this IServiceCollection services, string name, int retries, TimeSpan timeout, TimeSpan? retryDelay = null, bool retryAmbiguous = false)
    {
        // No per-request log scopes and lines: a send is logged once by the outbox, with ids, not URLs.
        services.AddHttpClient(name).RemoveAllLoggers().AddResilienceHandler(name + "-send", pipeline =>
        {
            if (retries > 0)
            {
                var retry = new HttpRetryStrategyOptions { MaxRetryAttempts = retries, BackoffType = DelayBackoffType.Exponential, UseJitter = true };
                if (retryDelay is { } delay) retry.Delay = delay;
                if (!retryAmbiguous)
                    retry.ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } r && ((int)r.StatusCode == 429 || (int)r.StatusCode >= 500));
                pipeline.AddRetry(retry);
            }
            pipeline.AddTimeout(timeout);
        });
    }
}

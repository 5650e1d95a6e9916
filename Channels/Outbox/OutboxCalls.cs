using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Channels.Common;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// How the outbox's grain calls (shards, and the customer told a reply is handed off) survive the loss of the silo that
/// hosts the grain, as <see cref="TurnCalls"/> does for turns. Every call made through here is idempotent: an outbox
/// shard keeps one entry per idempotency key (<c>Enqueue</c>, <c>Record</c>), <c>Complete</c> ignores an entry no longer
/// queued, <c>ReplyHandedOff</c> an entry no longer pending, and the rest only read. So a call is simply made again:
/// <list type="bullet">
/// <item>when a silo connection closes while it waits (<see cref="SiloConnectionLoss"/>): its answer would never come;</item>
/// <item>when a silo is found unreachable (the grain is still registered on the dead silo until the cluster declares it
/// dead), after 100 ms doubling to 1 s;</item>
/// <item>when the call passes its own deadline (the gateway's response timeout), once more within the budget;</item>
/// </list>
/// all within <see cref="RetryBudget"/>, after which the grain is re-activated on a surviving silo or the call fails
/// with a <see cref="TimeoutException"/> (a request answers 503 with Retry-After: <c>ClusterUnavailable</c>).
/// <see cref="UntilDoneAsync"/> is for writes that must not be given up because what they record already happened (a
/// provider took the message): past the budget it logs a deferral and keeps trying, 5 s apart, until the dispatcher stops.
/// </summary>
public sealed class OutboxCalls(SiloConnectionLoss? connections = null, TimeProvider? time = null, ILogger<OutboxCalls>? logger = null)
{
    /// <summary>How long a call is made again before it fails (the turn's budget: a reply is not given up earlier than its turn).</summary>
    public static readonly TimeSpan RetryBudget = TurnCalls.RetryBudget;
    /// <summary>Between attempts of a deferred write, once the budget has passed.</summary>
    public static readonly TimeSpan DeferredInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<OutboxCalls>.Instance;
    private long _retries;
    private long _deferrals;

    /// <summary>Calls made again after a lost connection, an unreachable silo or a passed deadline, since the start.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Writes that outlived the budget and were deferred, since the start.</summary>
    public long Deferrals => Interlocked.Read(ref _deferrals);

    /// <summary>Makes the idempotent <paramref name="call"/>, again after a silo loss, within <see cref="RetryBudget"/>.</summary>
    /// <param name="what">What the call does, for the log and the exception (no ids of people: an entry id at most).</param>
    public Task CallAsync(Func<Task> call, string what, CancellationToken cancellationToken = default) =>
        CallAsync(async () => { await call().ConfigureAwait(false); return true; }, what, cancellationToken);

    /// <inheritdoc cref="CallAsync(Func{Task}, string, CancellationToken)"/>
    public Task<T> CallAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken = default) =>
        CallAsync(call, what, LogLevel.Information, cancellationToken);

    /// <param name="retryLevel">How each repeat is logged (a deferred write logs its deferral once and its repeats at Debug).</param>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, string what, LogLevel retryLevel, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var lost = connections?.Token ?? CancellationToken.None;
            var pending = call();
            try
            {
                return await pending.WaitAsync(lost).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The abandoned call ends at its own deadline; its outcome is observed and dropped.
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                if (Stopwatch.GetElapsedTime(started) > RetryBudget)
                    throw new TimeoutException($"Outbox call '{what}': its silo connection closed and no silo answered within {RetryBudget.TotalSeconds:F0} s.");
                Interlocked.Increment(ref _retries);
                _logger.Log(retryLevel, "Outbox call '{What}' was waiting on a silo connection that closed; making it again (attempt {Attempt})", what, attempt + 1);
            }
            catch (TimeoutException e) when (IsCallDeadline(e) && !cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) <= RetryBudget)
            {
                Interlocked.Increment(ref _retries);
                _logger.Log(retryLevel, "Outbox call '{What}' passed its deadline; making it again (attempt {Attempt})", what, attempt + 1);
            }
            catch (Exception e) when (TurnCalls.IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
            {
                if (Stopwatch.GetElapsedTime(started) + backoff > RetryBudget)
                    throw new TimeoutException($"Outbox call '{what}': no silo reachable within {RetryBudget.TotalSeconds:F0} s ({e.GetType().Name}).", e);
                Interlocked.Increment(ref _retries);
                _logger.Log(retryLevel, "Outbox call '{What}' found a silo unreachable ({Error}); making it again in {Delay} ms (attempt {Attempt})",
                    what, e.GetType().Name, backoff.TotalMilliseconds, attempt + 1);
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }

    /// <summary>
    /// A write recording something that already happened (a provider took the message): made through
    /// <see cref="CallAsync(Func{Task}, string, CancellationToken)"/>, and when no silo or store answers within its budget,
    /// deferred (logged once, as a warning) and made again every <see cref="DeferredInterval"/> until it succeeds or
    /// <paramref name="cancellationToken"/> (the host stopping) ends it. Giving it up would let a resume send the message
    /// again. Other failures (a bug, bad input) are thrown at once.
    /// </summary>
    public async Task UntilDoneAsync(Func<Task> call, string what, CancellationToken cancellationToken)
    {
        var deferred = false;
        while (true)
        {
            try
            {
                await CallAsync(async () => { await call().ConfigureAwait(false); return true; }, what, deferred ? LogLevel.Debug : LogLevel.Information, cancellationToken)
                    .ConfigureAwait(false);
                if (deferred) _logger.LogWarning("Deferred outbox call '{What}' done", what);
                return;
            }
            catch (Exception e) when (IsClusterUnavailable(e) && !cancellationToken.IsCancellationRequested)
            {
                if (!deferred)
                {
                    deferred = true;
                    Interlocked.Increment(ref _deferrals);
                    _logger.LogWarning("Outbox call '{What}' deferred: the cluster or its store did not answer ({Error}); trying again every {Interval} s",
                        what, e.GetType().Name, DeferredInterval.TotalSeconds);
                }
                await Task.Delay(DeferredInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The Orleans client's own "no response within the call's deadline" (not a store's timeout reported by a silo).</summary>
    public static bool IsCallDeadline(TimeoutException e) => e.Message.StartsWith("Response did not arrive on time", StringComparison.Ordinal);

    /// <summary>A silo that cannot be reached, a call that timed out, or a store a silo could not reach (reported as a timeout).</summary>
    public static bool IsClusterUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is TimeoutException || TurnCalls.IsUnreachable(e)) return true;
        return false;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Common;

/// <summary>
/// How a channel hands a turn to the engine (<see cref="IConversationIngressGrain.Receive"/>): the one call every channel
/// makes, bounded so that the loss of a silo costs a sender seconds, not the response timeout.
/// <list type="bullet">
/// <item>A call waiting on a silo connection that closed (<see cref="SiloConnectionLoss"/>: a silo killed or leaving) stops
/// waiting at once and is sent again; Orleans routes it through a live silo.</item>
/// <item>A call refused because a silo is unreachable (the ingress on a live silo called a grain on the dead one before
/// the cluster declared it dead) is sent again after a short backoff, until <see cref="RetryBudget"/> has passed.</item>
/// <item>The call itself has a deadline of its own, shorter than the cluster's response timeout: the
/// <c>[ResponseTimeout]</c> on <see cref="IConversationIngressGrain.Receive"/>, for a silo that hangs without closing
/// its connection. When it passes, the turn is sent again once more within the budget: on a live but slow silo (a cold
/// start on a saturated machine) the repeat waits behind the first on the customer grain and is answered as its
/// duplicate. A lost store, which also shows as a <see cref="TimeoutException"/> (<c>StoreUnavailableFilter</c>), is
/// not retried: the webhook answers 503 and the sender retries.</item>
/// </list>
/// Sending a turn again is exactly-once: the same <see cref="InboundTurn"/> carries the same message id, the customer grain
/// records a message id once and answers a repeat as a duplicate with the reply it recorded, and the reply dispatcher
/// checks the outbox before sending a redelivered turn's reply.
/// </summary>
public sealed class TurnCalls(IGrainFactory grains, SiloConnectionLoss? connections = null, ILogger<TurnCalls>? logger = null)
{
    /// <summary>How long a turn is sent again after a lost connection or an unreachable silo before the channel gives up (503).</summary>
    public static readonly TimeSpan RetryBudget = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = logger ?? NullLogger<TurnCalls>.Instance;

    /// <summary>Orleans' exceptions for "that silo cannot be reached now" (by name: some arrive as fallbacks naming the type).</summary>
    private static readonly HashSet<string> Unreachable =
    [
        "Orleans.Runtime.SiloUnavailableException",
        "Orleans.Runtime.Messaging.ConnectionFailedException",
        "Orleans.Runtime.OrleansMessageRejectionException",
    ];

    public async Task<TurnResult> ReceiveAsync(InboundTurn turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var ingress = Ingress(turn.From.Value);
        var started = Stopwatch.GetTimestamp();
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var lost = connections?.Token ?? CancellationToken.None;
            var call = ingress.Receive(turn);
            try
            {
                var result = await call.WaitAsync(lost).WaitAsync(cancellationToken).ConfigureAwait(false);
                TurnMetrics.Turn(turn.Channel, Stopwatch.GetElapsedTime(started), attempt);
                return result;
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The connection this call may have gone through closed: its answer would never come. The abandoned call
                // still ends at its own deadline; its outcome is observed and dropped.
                _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                TurnMetrics.Retried(turn.Channel, "connection-lost");
                if (Stopwatch.GetElapsedTime(started) > RetryBudget)
                    throw new TimeoutException($"The silo connection of a {turn.Channel.ToWire()} turn closed and no silo answered it within {RetryBudget.TotalSeconds:F0} s.");
                _logger.LogInformation("A {Channel} turn was waiting on a silo connection that closed; sending it again (attempt {Attempt})", turn.Channel.ToWire(), attempt + 1);
            }
            catch (TimeoutException e) when (IsCallDeadline(e) && !cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) <= RetryBudget)
            {
                TurnMetrics.Retried(turn.Channel, "deadline");
                _logger.LogInformation("A {Channel} turn passed its deadline; sending it again (attempt {Attempt})", turn.Channel.ToWire(), attempt + 1);
            }
            catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) + backoff <= RetryBudget)
            {
                TurnMetrics.Retried(turn.Channel, "silo-unreachable");
                _logger.LogInformation("A {Channel} turn found a silo unreachable ({Error}); sending it again in {Delay} ms (attempt {Attempt})",
                    turn.Channel.ToWire(), e.GetType().Name, backoff.TotalMilliseconds, attempt + 1);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }

    // The 64 ingress references, each made once (GetGrain builds a new reference on every call).
    private readonly IConversationIngressGrain?[] _ingress = new IConversationIngressGrain?[ConversationIngress.Keys];

    private IConversationIngressGrain Ingress(string sender)
    {
        var key = ConversationIngress.KeyFor(sender);
        return _ingress[key] ??= grains.GetGrain<IConversationIngressGrain>(key);
    }

    /// <summary>The Orleans client's own "no response within the call's deadline" (not a store's timeout reported by a silo).</summary>
    private static bool IsCallDeadline(TimeoutException e) => e.Message.StartsWith("Response did not arrive on time", StringComparison.Ordinal);

    /// <summary>True when <paramref name="exception"/> (or an inner one) says a silo could not be reached.</summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (Unreachable.Contains(e.GetType().FullName ?? "")) return true;
            if (e is Orleans.Serialization.UnavailableExceptionFallbackException { ExceptionType: { } name } && Unreachable.Contains(name)) return true;
        }
        return false;
    }
}

public static class TurnCallsExtensions
{
    /// <summary><see cref="TurnCalls"/> and its <see cref="SiloConnectionLoss"/> signal (signalled by a gateway's Orleans client only).</summary>
    public static IServiceCollection AddTurnCalls(this IServiceCollection services)
    {
        services.TryAddSingleton<SiloConnectionLoss>();
        services.TryAddSingleton<TurnCalls>();
        return services;
    }
}

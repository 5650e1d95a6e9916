using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Switchboard.Silo.Admission;

/// <summary>
/// This process's admission limits, built once from <see cref="AdmissionOptions"/>: the edge's turn limiter (in flight
/// plus a bounded queue, oldest first) and its web chat socket limiter. The ASP.NET Core rate limiter middleware takes
/// leases from these; SIP asks <see cref="Saturated"/>.
/// </summary>
public sealed class TurnAdmission : IDisposable
{
    public TurnAdmission(IOptions<AdmissionOptions> options)
    {
        Options = options.Value;
        EdgeTurns = Concurrency(Options.Edge.InFlightTurns, Options.Edge.MaxQueuedTurns, Options.Edge.QueueOrder);
        ChatSockets = Concurrency(Options.Edge.MaxChatSockets, 0, QueueProcessingOrder.OldestFirst);
    }

    public AdmissionOptions Options { get; }
    public ConcurrencyLimiter EdgeTurns { get; }
    public ConcurrencyLimiter ChatSockets { get; }

    public TimeSpan RetryAfter => TimeSpan.FromSeconds(Options.RetryAfterSeconds);

    /// <summary>Every turn slot is taken and the queue is full: a new turn would be refused.</summary>
    public bool Saturated =>
        Options.Enabled && EdgeTurns.GetStatistics() is { } s && s.CurrentAvailablePermits == 0 && s.CurrentQueuedCount >= Options.Edge.MaxQueuedTurns;

    private static ConcurrencyLimiter Concurrency(int permits, int queue, QueueProcessingOrder order) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queue,
        QueueProcessingOrder = order,
    });

    public void Dispose()
    {
        EdgeTurns.Dispose();
        ChatSockets.Dispose();
    }
}

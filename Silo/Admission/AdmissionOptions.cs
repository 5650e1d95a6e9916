using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Switchboard.Silo.Admission;

/// <summary>
/// Section <c>Admission</c>: how much work one process takes on before it turns traffic away. <see cref="Edge"/> bounds
/// the turns its HTTP edge has in flight and waiting, in every role (a gateway's webhooks, a silo's <c>/api/turns</c>),
/// so a silo's grains never hold more turns than the edges in front of them admitted. Past capacity, webhooks get 503
/// with Retry-After (providers redeliver), the web chat socket is refused with 503, and new SIP INVITEs get 503 with
/// Retry-After. Validated at start.
/// </summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Off turns every limit off (a benchmark measuring raw capacity does this; production should not).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>What a refused caller is told to wait, in seconds (the Retry-After header).</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 2;

    [Required, ValidateObjectMembers]
    public EdgeLimits Edge { get; set; } = new();

    public sealed class EdgeLimits
    {
        /// <summary>
        /// Webhook and API turns this process handles at once; more only lengthens every turn (Little's law). Unset: 2 per
        /// core where the turns run in this process (roles <c>all</c> and <c>silo</c>: the work is this process's CPU and
        /// its journal), 8 per core on a gateway (its turns mostly wait on the silos). Set at start by
        /// <see cref="AdmissionExtensions.AddAdmission"/>; docs/security.md, "In flight: 2 per core".
        /// </summary>
        [Range(1, 100_000)]
        public int? MaxInFlightTurns { get; set; }

        /// <summary>The default of <see cref="MaxInFlightTurns"/>: 2 per core when turns run here, 8 per core on a gateway.</summary>
        public static int DefaultInFlightTurns(bool turnsRunHere) => (turnsRunHere ? 2 : 8) * Environment.ProcessorCount;

        /// <summary>The in-flight limit in force (after start, always set).</summary>
        public int InFlightTurns => MaxInFlightTurns ?? DefaultInFlightTurns(turnsRunHere: true);

        /// <summary>
        /// Turns that wait for one of those (in <see cref="QueueOrder"/>); past this one is refused at once. A short queue: at 2×
        /// capacity the slots are refilled from arrivals anyway, and every queued turn is waiting added to a served
        /// one (8 per core made the queue wait the larger half of the served p99; docs/security.md).
        /// </summary>
        [Range(0, 100_000)]
        public int MaxQueuedTurns { get; set; } = DefaultQueuedTurns;

        public static int DefaultQueuedTurns => 2 * Environment.ProcessorCount;

        /// <summary>
        /// Which waiting turn a freed slot goes to. <c>NewestFirst</c> (the default): the latest arrival, and a new turn
        /// that finds the queue full pushes the oldest waiting one out (503 + Retry-After; it was never read, and the
        /// provider redelivers it), so past capacity a served turn has hardly waited (adaptive LIFO), while a burst below
        /// capacity is still all served. <c>OldestFirst</c>: arrival order, the newcomer refused. docs/security.md,
        /// "Newest first".
        /// </summary>
        public System.Threading.RateLimiting.QueueProcessingOrder QueueOrder { get; set; } = System.Threading.RateLimiting.QueueProcessingOrder.NewestFirst;

        /// <summary>Open web chat sockets (each runs at most one turn at a time).</summary>
        [Range(1, 1_000_000)]
        public int MaxChatSockets { get; set; } = 10_000;
    }
}

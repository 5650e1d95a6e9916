namespace Switchboard.Channels.Common;

/// <summary>
/// A part of the engine that keeps something about a customer outside the customer grain (call recordings on disk, a
/// channel's cache) and must forget it when the customer is erased (<c>DELETE /api/customers/{id}</c>). Participants
/// run before the grain forgets the customer, so a failed erasure leaves the customer in place and the same request can
/// simply be repeated.
/// </summary>
public interface IErasureParticipant
{
    /// <summary>What it removes, as shown in the erasure receipt (e.g. <c>call-recordings</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Removes everything it holds about the customer and returns how many items went. Idempotent: a second run finds
    /// nothing and returns 0. Throws when anything could not be removed; nothing may be left behind silently.
    /// </summary>
    Task<int> EraseAsync(string tenant, string customerId, CancellationToken cancellationToken);
}

using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Silo.Admin;

/// <summary>What one erasure removed besides the customer's state: per participant (e.g. <c>call-recordings</c>), how many items.</summary>
public sealed record ErasureReceipt(string CustomerId, string Tenant, IReadOnlyDictionary<string, int> Removed);

/// <summary>An erasure stopped part-way; the customer grain was not erased, so the same request can be repeated.</summary>
public sealed class ErasureIncompleteException(string part, Exception inner)
    : Exception($"Erasure stopped while removing {part}.", inner)
{
    public string Part { get; } = part;
}

/// <summary>
/// Right to erasure across the engine. Every <see cref="IErasureParticipant"/> (call recordings, ...) runs first, the
/// customer grain last: while anything outside the grain could still hold the customer's data, the customer stays
/// known, so a failed erasure is reported and repeating the request finishes it. Erasing the grain first would turn a
/// retry into "unknown customer" and leave the rest behind for good.
/// </summary>
public static class CustomerErasure
{
    public static async Task<ErasureReceipt> RunAsync(ICustomerGrain customer, string tenant, string customerId,
        IEnumerable<IErasureParticipant> participants, ILogger logger, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var participant in participants)
        {
            try
            {
                var count = await participant.EraseAsync(tenant, customerId, cancellationToken);
                removed[participant.Name] = removed.GetValueOrDefault(participant.Name) + count;
                logger.LogInformation("Erasure of customer {CustomerId} of {Tenant}: {Count} {Part} removed", customerId, tenant, count, participant.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Erasure of customer {CustomerId} of {Tenant} stopped: {Part} could not all be removed; the customer is kept so the erasure can be repeated",
                    customerId, tenant, participant.Name);
                throw new ErasureIncompleteException(participant.Name, e);
            }
        }
        try
        {
            await customer.Erase();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Erasure of customer {CustomerId} of {Tenant} stopped: the customer's state could not be erased", customerId, tenant);
            throw new ErasureIncompleteException("state", e);
        }
        return new ErasureReceipt(customerId, tenant, removed);
    }
}

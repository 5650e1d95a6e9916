namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>
/// Which customers have replies recorded with their turns and not yet handed to a channel, so a process that sends
/// replies (silo or gateway) can resume them after a restart without reading the grains' store itself. Key 0.
/// </summary>
[Alias("pending-replies")]
public interface IPendingRepliesGrain : IGrainWithIntegerKey
{
    /// <summary>Customer grain keys (<see cref="GrainKeys.Customer"/>); ask each <see cref="ICustomerGrain.PendingReplies"/> for the replies.</summary>
    [Alias("customers")]
    Task<IReadOnlyList<string>> Customers();
}

using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Tenancy;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>How a proactive call attempt went.</summary>
public sealed record ProactiveCallResult(string CustomerId, string CallId, int Status, bool Answered);

/// <summary>
/// Outbound calls that open with the reason for the call (journeys use this): the reason is kept for the customer,
/// the call is placed through the SBC, and when it is answered the first prompt is the reason, then the engine's reply.
/// </summary>
public sealed class ProactiveCalls(IVoiceCalls calls, IGrainFactory grains, TenantDirectory tenants, ProactiveCallReasons reasons, ILogger<ProactiveCalls> logger)
{
    /// <summary>Calls a known customer at <paramref name="number"/>; null when the number belongs to no customer of the tenant.</summary>
    public async Task<ProactiveCallResult?> PlaceAsync(string number, string reason, string? tenant = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var t = tenants.FindOrDefault(tenant) ?? throw new ArgumentException($"Unknown tenant '{tenant}'.", nameof(tenant));
        var customerId = await grains.GetGrain<IConversationIngressGrain>(0).Resolve(t.Id, new ChannelAddress(AddressKind.Phone, number));
        if (customerId is null) return null;
        reasons.Set(t.Id, customerId, reason);
        logger.LogInformation("Placing a proactive call to customer {CustomerId}", customerId);
        var result = await calls.PlaceCallAsync(number, t.Id, cancellationToken);
        if (!result.Answered) reasons.Forget(t.Id, customerId);
        return new ProactiveCallResult(customerId, result.CallId, result.Status, result.Answered);
    }
}

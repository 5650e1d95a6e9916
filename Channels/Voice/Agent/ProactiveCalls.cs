using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// How a proactive call attempt went; <see cref="RefusedBecause"/> says why no call was placed (the customer's consent),
/// <see cref="AnsweredBy"/> who picked up (a machine got a voicemail, not the dialog: a journey may retry later).
/// </summary>
public sealed record ProactiveCallResult(string CustomerId, string? CallId, int Status, bool Answered, string? RefusedBecause = null,
    AnsweredBy AnsweredBy = AnsweredBy.Unknown);

/// <summary>
/// Outbound calls that open with the reason for the call (journeys use this): the customer's voice consent for the
/// purpose is checked, the reason is kept for the customer, the call is placed through the SBC, and when it is answered
/// the first thing said is the reason, then the engine's reply. When an answering machine picks up, a short voicemail
/// (reason, call-back number, call code) is left instead of the dialog.
/// </summary>
public sealed class ProactiveCalls(IVoiceCalls calls, IGrainFactory grains, TenantDirectory tenants, ProactiveCallReasons reasons,
    AnsweringMachineOutcomes outcomes, VoiceAgentOptions options, TimeProvider time, ILogger<ProactiveCalls> logger)
{
    /// <summary>Calls a known customer at <paramref name="number"/>; null when the number belongs to no customer of the tenant.</summary>
    /// <param name="purpose">What the call is for: a customer who has not agreed to voice contact for it is not called.</param>
    public async Task<ProactiveCallResult?> PlaceAsync(string number, string reason, string? tenant = null,
        ConsentPurpose purpose = ConsentPurpose.Transactional, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (purpose == ConsentPurpose.CallRecording) throw new ArgumentException("A call is placed for a transactional or marketing purpose.", nameof(purpose));
        var t = tenants.FindOrDefault(tenant) ?? throw new ArgumentException($"Unknown tenant '{tenant}'.", nameof(tenant));
        var customerId = await ConversationIngress.For(grains, number).Resolve(t.Id, new ChannelAddress(AddressKind.Phone, number));
        if (customerId is null) return null;
        var consent = await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId)).CanContact(Channel.Voice, purpose);
        if (!consent.Allowed)
        {
            logger.LogInformation("Proactive {Purpose} call to customer {CustomerId} refused by consent", purpose.ToWire(), customerId);
            return new ProactiveCallResult(customerId, null, 0, false, consent.Reason);
        }
        reasons.Set(t.Id, customerId, reason);
        logger.LogInformation("Placing a proactive {Purpose} call to customer {CustomerId}", purpose.ToWire(), customerId);
        var result = await calls.PlaceCallAsync(number, t.Id, cancellationToken);
        if (!result.Answered)
        {
            reasons.Forget(t.Id, customerId);
            return new ProactiveCallResult(customerId, result.CallId, result.Status, false);
        }
        // Who answered is known a few seconds later (a greeting's length); the wait is bounded by detection's own limits.
        var m = options.AnsweringMachine;
        var answeredBy = await outcomes.WaitAsync(result.CallId, m.InitialSilence + m.MaxHumanGreeting + m.AfterGreetingSilence + TimeSpan.FromSeconds(15), time, cancellationToken);
        return new ProactiveCallResult(customerId, result.CallId, result.Status, true, AnsweredBy: answeredBy);
    }
}

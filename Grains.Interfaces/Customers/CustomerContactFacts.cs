using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>
/// What an outbound step needs to know about a customer, in one answer (<see cref="ICustomerGrain.ContactFacts"/>): the
/// consent registry's decision per asked channel (with when the customer last wrote there), inbound turns per channel,
/// the intent history, the slots (display form), and the number a send goes to. Never stored by the caller.
/// </summary>
[GenerateSerializer, Immutable, Alias("customer-contact-facts")]
public sealed record CustomerContactFacts(
    [property: Id(0)] IReadOnlyList<ConsentDecision> Consent,
    [property: Id(1)] IReadOnlyDictionary<Channel, int> TurnsByChannel,
    [property: Id(2)] IReadOnlyList<IntentRecord> Intents,
    [property: Id(3)] IReadOnlyDictionary<string, string> Slots,
    [property: Id(4)] string? Phone);

using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>Everything the admin API shows about a customer: the three layers, consent, linked addresses, token names. Never raw PII.</summary>
[GenerateSerializer, Immutable, Alias("customer-view")]
public sealed record CustomerView(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string CustomerId,
    [property: Id(2)] EphemeralContext Ephemeral,
    [property: Id(3)] PersistentIntentContext PersistentIntent,
    [property: Id(4)] SystemMetadata System,
    [property: Id(5)] IReadOnlyList<ConsentEntry> Consent,
    [property: Id(6)] IReadOnlyList<ChannelAddress> Addresses,
    [property: Id(7)] IReadOnlyList<string> PiiTokens,
    [property: Id(8)] int TranscriptTurns);

[GenerateSerializer, Immutable, Alias("consent-entry")]
public sealed record ConsentEntry(
    [property: Id(0)] Switchboard.Grains.Interfaces.Conversation.Channel Channel,
    [property: Id(1)] ConsentPurpose Purpose,
    [property: Id(2)] ConsentStatus Status,
    [property: Id(3)] IReadOnlyList<ConsentChange> History);

using Orleans.Concurrency;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Pii;

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>
/// One activation per customer of a tenant (key <see cref="GrainKeys.Customer"/>): the whole truth about them.
/// Channels do not call it directly for inbound messages; they go through <see cref="IConversationIngressGrain"/>.
/// </summary>
[Alias("customer-grain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>Re-seals every vault value under the active master key (after a rotation); answers how many moved. Idempotent.</summary>
    [Alias("rewrap-vault")]
    Task<int> RewrapVault();

    /// <summary>
    /// Re-seals the customer's stored addresses under the active master key and address pseudonym, and supersedes
    /// records an older engine wrote with addresses in clear; answers how many were resealed. Idempotent.
    /// </summary>
    [Alias("reseal-addresses")]
    Task<int> ResealAddresses();

    /// <summary>Tokenizes, records and answers one inbound turn. Idempotent on the turn's message id.</summary>
    [Alias("handle-turn")]
    Task<TurnResult> HandleTurn(InboundTurn turn);

    /// <summary>
    /// <see cref="HandleTurn"/> with the sender's (normalised) address checked against the identity bindings this
    /// customer knows of. Reached through the identity grain (<paramref name="cached"/> false), the customer takes the address
    /// as its own unless it released it since, and says so in <see cref="TurnResult.AddressBound"/>: the ingress may then
    /// route the sender's next turns here from its cache. Reached through that cache (<paramref name="cached"/> true),
    /// it answers null, doing nothing, unless it still owns the address: the ingress then asks the identity grain.
    /// </summary>
    [Alias("handle-turn-from")]
    Task<TurnResult?> HandleTurnFrom(InboundTurn turn, bool cached);

    /// <summary>
    /// The (normalised) address is being bound to another customer: from now on turns routed here by a cached
    /// binding are refused, and a turn still on its way from an older identity lookup does not take it back. Durable
    /// before it returns, also on a customer not created yet. <see cref="LinkAddress"/> or <see cref="Register"/> take it back.
    /// </summary>
    [Alias("release-address")]
    Task ReleaseAddress(ChannelAddress address);

    /// <summary>Records a message the engine sent on a channel outside a turn (a journey, a confirmation). Text is tokenized.</summary>
    /// <summary>Replies recorded with their turns and not yet handed to their channel's outbox (resumed after a restart).</summary>
    [Alias("pending-replies")]
    Task<IReadOnlyList<Outbox.OutboxEntry>> PendingReplies();

    /// <summary>
    /// The channel has sent (or given up on) the reply and recorded it in its outbox: it is no longer pending here. The
    /// journal learns it with the customer's next append (no write of its own); a restart before that asks the outbox.
    /// One-way: nothing waits for it, and a hand-off that never arrives only leaves that check for the next start.
    /// </summary>
    [Alias("reply-handed-off"), OneWay]
    Task ReplyHandedOff(string entryId);

    /// <summary>
    /// Journey enrolments wait for this customer's next move: every inbound turn tells the customer's
    /// <see cref="Journeys.IJourneyWaitersGrain"/> until <see cref="JourneysDone"/>. Stored in the customer's state (a
    /// record only when it flips), so it survives deactivation and restart; answered once durable.
    /// </summary>
    [Alias("journeys-waiting")]
    Task JourneysWaiting();

    /// <summary>Nobody waits on this customer any more (the waiters grain found its set empty): turns stop telling it.</summary>
    [Alias("journeys-done")]
    Task JourneysDone();

    [Alias("record-outbound")]
    Task RecordOutbound(Channel channel, string text, string? messageId);

    [Alias("exists")]
    Task<bool> Exists();

    [Alias("get-view")]
    Task<CustomerView> GetView();

    [Alias("get-transcript")]
    Task<TranscriptPage> GetTranscript();

    [Alias("link-address")]
    Task LinkAddress(ChannelAddress address);

    /// <summary>
    /// Creates the customer without a turn (an audience list, a CRM import), with <paramref name="address"/> as its first
    /// address; on a customer that exists it only links the address. Consent starts unknown: a list grants nothing.
    /// </summary>
    [Alias("register")]
    Task Register(ChannelAddress address);

    [Alias("can-contact")]
    Task<ConsentDecision> CanContact(Channel channel, ConsentPurpose purpose);

    /// <summary>
    /// <see cref="CanContact"/> for each of <paramref name="channels"/> (same order) with the rest of what an outbound step
    /// reads (turns per channel, intents, slots, the phone number): one call instead of a view and a consent call per channel.
    /// </summary>
    [Alias("contact-facts")]
    Task<CustomerContactFacts> ContactFacts(IReadOnlyList<Channel> channels, ConsentPurpose purpose);

    [Alias("record-consent")]
    Task RecordConsent(ConsentChange change);

    [Alias("mark-verified")]
    Task MarkVerified(Channel channel, string method, bool mfa);

    [Alias("set-crm-field")]
    Task SetCrmField(string field, string value);

    /// <summary>Issues an opaque, signed, expiring token any channel can present to join this customer.</summary>
    [Alias("issue-session-token")]
    Task<string> IssueSessionToken(string purpose, TimeSpan lifetime);

    /// <summary>Resolves a PII token to its raw value for a stated purpose; audited; null when the token is unknown.</summary>
    [Alias("resolve-pii")]
    Task<string?> ResolvePii(string token, string purpose, string actor);

    [Alias("get-pii-audit")]
    Task<IReadOnlyList<PiiAccessRecord>> GetPiiAudit();

    /// <summary>Right to erasure: state, vault (crypto-shred) and identity bindings all go.</summary>
    [Alias("erase")]
    Task Erase();
}

[GenerateSerializer, Immutable, Alias("transcript-page")]
public sealed record TranscriptPage(
    [property: Id(0)] TranscriptSummary Summary,
    [property: Id(1)] IReadOnlyList<TranscriptTurn> Turns);

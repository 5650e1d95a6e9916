using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Grains.Conversation;

/// <summary>
/// The dialog engine a customer grain runs for each turn. It reads and changes the context layers in
/// <see cref="TurnContext"/> and returns a channel-agnostic reply. It sees only tokenized text.
/// </summary>
public interface IConversationEngine
{
    ValueTask<EngineReply> RespondAsync(TurnContext turn, CancellationToken cancellationToken = default);
}

/// <summary>Picks the engine for a tenant (each tenant runs its own bot).</summary>
public interface IConversationEngineProvider
{
    IConversationEngine For(string tenant);
}

/// <summary>One turn as the engine sees it. The layers are the grain's live state: changes are persisted after the turn.</summary>
public sealed class TurnContext
{
    public required string Tenant { get; init; }
    public required string CustomerId { get; init; }
    public required Channel Channel { get; init; }
    public required string Text { get; init; }
    public TurnPayload? Payload { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required EphemeralContext Ephemeral { get; init; }
    public required PersistentIntentContext Intent { get; init; }
    public required SystemMetadata System { get; init; }
    /// <summary>Engine-owned key/value state that survives between turns.</summary>
    public required Dictionary<string, string> EngineData { get; init; }
    /// <summary>The channel of the customer's previous inbound turn, if any.</summary>
    public Channel? PreviousChannel { get; init; }
    /// <summary>Issues a session token for this customer (purpose, lifetime), e.g. for a call-us button.</summary>
    public required Func<string, TimeSpan, string> IssueSessionToken { get; init; }
    /// <summary>Issues a 6-digit single-use call code for this customer (for a withheld caller id on the voice channel).</summary>
    public required Func<TimeSpan, Task<string>> IssueCallCode { get; init; }
    /// <summary>
    /// Opens a PII token of this customer's vault for a stated purpose (the identity check reading a PIN the customer gave);
    /// audited like every resolution, with the engine as the actor. Null when the token is unknown.
    /// </summary>
    public Func<string, string, string?> ResolveSecret { get; init; } = (_, _) => null;
}

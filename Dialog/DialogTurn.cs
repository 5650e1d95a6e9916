using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Dialog;

/// <summary>
/// One turn as the dialog engine sees it: the customer's tokenized words and the context layers the step reads and
/// changes. The layers are the caller's live objects (the customer grain's state): the caller persists what changed.
/// The customer grain hands it to every engine (<c>IConversationEngine</c>), this library's and the echo engine alike.
/// </summary>
public sealed class DialogTurn
{
    public required string Tenant { get; init; }
    public required string CustomerId { get; init; }
    public required Channel Channel { get; init; }
    /// <summary>The customer's words after PII tokenization: the engine never sees raw PII.</summary>
    public required string Text { get; init; }
    public TurnPayload? Payload { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required EphemeralContext Ephemeral { get; init; }
    public required PersistentIntentContext Intent { get; init; }
    public required SystemMetadata System { get; init; }
    /// <summary>Engine-owned key/value state that survives between turns (<see cref="EngineDataKeys"/>).</summary>
    public required Dictionary<string, string> EngineData { get; init; }
    /// <summary>The channel of the customer's previous inbound turn, if any.</summary>
    public Channel? PreviousChannel { get; init; }
    /// <summary>Issues a session token for this customer (purpose, lifetime), e.g. for a call-us button.</summary>
    public required Func<string, TimeSpan, string> IssueSessionToken { get; init; }
    /// <summary>Issues a 6-digit single-use call code for this customer (for a withheld caller id on the voice channel).</summary>
    public required Func<TimeSpan, Task<string>> IssueCallCode { get; init; }
    /// <summary>Opens a PII token of this customer's vault for a stated purpose (token, purpose); null when unknown. Audited by the caller.</summary>
    public Func<string, string, string?> ResolveSecret { get; init; } = (_, _) => null;
}

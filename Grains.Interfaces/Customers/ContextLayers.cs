using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>Short-lived context: the open flow, its slot fills, the cart, the last inputs. Cleared when a flow ends.</summary>
[GenerateSerializer, Alias("ephemeral-context")]
public sealed class EphemeralContext
{
    [Id(0)] public string? ActiveFlow { get; set; }
    /// <summary>The open flow's slot fills; allocated on first use, and back to null when a call leaves it empty (<see cref="TrimEmpty"/>).</summary>
    public Dictionary<string, SlotValue> Slots { get => _slots ??= []; set => _slots = value; }
    // Serialized as the property was (same [Id], same type): null while empty, as most idle customers' are (docs/performance.md, mem8).
    [Id(1)] private Dictionary<string, SlotValue>? _slots;
    [Id(2)] public string? PendingSlot { get; set; }
    /// <summary>The step the open flow waits on, in words ("verifying the 4:00 PM flight to Mumbai"): the resume line reads it.</summary>
    [Id(3)] public string? PendingStep { get; set; }
    [Id(4)] public Channel? FlowChannel { get; set; }
    /// <summary>The cart; allocated on first use (most customers never have one: an empty list per customer adds up).</summary>
    public List<CartItem> Cart { get => _cart ??= []; set => _cart = value; }
    // Serialized as the property was (same [Id], same type): null while never used, so a snapshot of a customer
    // without a cart carries nothing and reading it allocates nothing.
    [Id(5)] private List<CartItem>? _cart;
    /// <summary>The last few tokenized inputs, newest last.</summary>
    [Id(6)] public List<string> LastInputs { get; set; } = [];
    [Id(7)] public int ConsecutiveMisses { get; set; }
    [Id(8)] public DateTimeOffset? UpdatedAt { get; set; }
    [Id(9)] public Channel? LastChannel { get; set; }
    /// <summary>
    /// The options a clarifying question named ("Did you mean 9:00 AM or 11:30 AM?"), so "the second one" in the answer
    /// counts within them; only for the next answer to the pending slot.
    /// </summary>
    [Id(10)] public List<string>? NarrowedOffer { get; set; }

    /// <summary>Collections a call left empty go back to null (the holder calls it when the call is done).</summary>
    public void TrimEmpty()
    {
        if (_slots is { Count: 0 }) _slots = null;
        if (_cart is { Count: 0 }) _cart = null;
    }
}

[GenerateSerializer, Immutable, Alias("slot-value")]
public sealed record SlotValue(
    [property: Id(0)] string Value,
    [property: Id(1)] string? Display,
    [property: Id(2)] Channel FilledOn,
    [property: Id(3)] DateTimeOffset FilledAt);

[GenerateSerializer, Immutable, Alias("cart-item")]
public sealed record CartItem(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Description,
    [property: Id(2)] int Quantity,
    [property: Id(3)] decimal UnitPrice);

/// <summary>What outlives a flow: past intents and how they ended, channel preferences, switch counts.</summary>
[GenerateSerializer, Alias("persistent-intent-context")]
public sealed class PersistentIntentContext
{
    [Id(0)] public List<IntentRecord> History { get; set; } = [];
    [Id(1)] public Channel? PreferredChannel { get; set; }
    [Id(2)] public Dictionary<Channel, int> TurnsByChannel { get; set; } = [];
    [Id(3)] public int ChannelSwitches { get; set; }
    /// <summary>Switches after which a slot already filled was asked again (the zero-repeat metric counts the rest).</summary>
    [Id(4)] public int SwitchesWithRepeat { get; set; }
}

[GenerateSerializer, Immutable, Alias("intent-record")]
public sealed record IntentRecord(
    [property: Id(0)] string Intent,
    [property: Id(1)] string Resolution,
    [property: Id(2)] Channel Channel,
    [property: Id(3)] DateTimeOffset At);

/// <summary>What systems know: CRM fields, verification / MFA status, issued session tokens.</summary>
[GenerateSerializer, Alias("system-metadata")]
public sealed class SystemMetadata
{
    /// <summary>CRM fields (tokenized); allocated on first use.</summary>
    public Dictionary<string, string> CrmProfile { get => _crmProfile ??= []; set => _crmProfile = value; }
    /// <summary>The last verification; <see cref="VerificationStatus.Unverified"/> (one shared, immutable instance) until the first.</summary>
    public VerificationStatus Verification { get => _verification ?? VerificationStatus.Unverified; set => _verification = value; }
    /// <summary>Issued session tokens; allocated on first use.</summary>
    public List<SessionTokenRecord> SessionTokens { get => _sessionTokens ??= []; set => _sessionTokens = value; }
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    // Serialized as the properties were (same [Id]s, same types): null until first used, so an active customer without a
    // CRM profile, verification or session token carries no empty collections (docs/performance.md, mem7).
    [Id(0)] private Dictionary<string, string>? _crmProfile;
    [Id(1)] private VerificationStatus? _verification;
    [Id(2)] private List<SessionTokenRecord>? _sessionTokens;
}

[GenerateSerializer, Alias("verification-status")]
public sealed class VerificationStatus
{
    /// <summary>Not verified: the status of every customer until the first check (shared, so its fields are init-only).</summary>
    public static readonly VerificationStatus Unverified = new();

    [Id(0)] public bool Verified { get; init; }
    [Id(1)] public string? Method { get; init; }
    [Id(2)] public Channel? Channel { get; init; }
    [Id(3)] public DateTimeOffset? VerifiedAt { get; init; }
    [Id(4)] public bool MfaPassed { get; init; }
}

/// <summary>A record of an issued token (its id and expiry, never the token itself).</summary>
[GenerateSerializer, Immutable, Alias("session-token-record")]
public sealed record SessionTokenRecord(
    [property: Id(0)] string TokenId,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string Purpose);

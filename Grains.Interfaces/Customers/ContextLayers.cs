using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Interfaces.Customers;

/// <summary>Short-lived context: the open flow, its slot fills, the cart, the last inputs. Cleared when a flow ends.</summary>
[GenerateSerializer, Alias("ephemeral-context")]
public sealed class EphemeralContext
{
    [Id(0)] public string? ActiveFlow { get; set; }
    [Id(1)] public Dictionary<string, SlotValue> Slots { get; set; } = [];
    [Id(2)] public string? PendingSlot { get; set; }
    /// <summary>The step the open flow waits on, in words ("verifying the 4:00 PM flight to Mumbai"): the resume line reads it.</summary>
    [Id(3)] public string? PendingStep { get; set; }
    [Id(4)] public Channel? FlowChannel { get; set; }
    [Id(5)] public List<CartItem> Cart { get; set; } = [];
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
    [Id(0)] public Dictionary<string, string> CrmProfile { get; set; } = [];
    [Id(1)] public VerificationStatus Verification { get; set; } = new();
    [Id(2)] public List<SessionTokenRecord> SessionTokens { get; set; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
}

[GenerateSerializer, Alias("verification-status")]
public sealed class VerificationStatus
{
    [Id(0)] public bool Verified { get; set; }
    [Id(1)] public string? Method { get; set; }
    [Id(2)] public Channel? Channel { get; set; }
    [Id(3)] public DateTimeOffset? VerifiedAt { get; set; }
    [Id(4)] public bool MfaPassed { get; set; }
}

/// <summary>A record of an issued token (its id and expiry, never the token itself).</summary>
[GenerateSerializer, Immutable, Alias("session-token-record")]
public sealed record SessionTokenRecord(
    [property: Id(0)] string TokenId,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string Purpose);

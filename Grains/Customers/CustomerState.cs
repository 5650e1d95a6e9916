using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Pii;

namespace Switchboard.Grains.Customers;

/// <summary>Everything a customer grain persists, in one record. Text in it is always tokenized.</summary>
[GenerateSerializer, Alias("customer-state")]
public sealed class CustomerState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public EphemeralContext Ephemeral { get; set; } = new();
    [Id(2)] public PersistentIntentContext Intent { get; set; } = new();
    [Id(3)] public SystemMetadata System { get; set; } = new();
    [Id(4)] public List<TranscriptTurn> Transcript { get; set; } = [];
    [Id(5)] public TranscriptSummary Summary { get; set; } = new();
    [Id(6)] public Dictionary<string, List<ConsentChange>> Consent { get; set; } = [];
    /// <summary>PII token → AES-GCM sealed raw value.</summary>
    [Id(7)] public Dictionary<string, byte[]> Vault { get; set; } = [];
    [Id(8)] public List<PiiAccessRecord> VaultAudit { get; set; } = [];
    [Id(9)] public List<ChannelAddress> Addresses { get; set; } = [];
    /// <summary>The most recently processed messages with the reply given, newest last.</summary>
    [Id(10)] public List<ProcessedMessage> Processed { get; set; } = [];
    /// <summary>Channels on which the customer has written to us (implied transactional consent).</summary>
    [Id(11)] public HashSet<Channel> InboundChannels { get; set; } = [];
    /// <summary>Dialog engine data that has no place in the typed layers (engine-owned, versioned by the engine).</summary>
    [Id(12)] public Dictionary<string, string> EngineData { get; set; } = [];
    /// <summary>64-bit hashes of older processed message ids (the idempotency window beyond <see cref="Processed"/>).</summary>
    [Id(13)] public List<ulong> ProcessedIdHashes { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("processed-message")]
public sealed record ProcessedMessage(
    [property: Id(0)] string MessageId,
    [property: Id(1)] EngineReply Reply,
    [property: Id(2)] string TokenizedText);

/// <summary>The vault's key material, kept apart from the customer state: removing it crypto-shreds the vault.</summary>
[GenerateSerializer, Alias("customer-key-state")]
public sealed class CustomerKeyState
{
    [Id(0)] public byte[]? Salt { get; set; }
}

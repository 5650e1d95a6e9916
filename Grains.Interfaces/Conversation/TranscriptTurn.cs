namespace Switchboard.Grains.Interfaces.Conversation;

[GenerateSerializer, Alias("direction")]
public enum Direction
{
    Inbound = 0,
    Outbound = 1,
}

/// <summary>One line of the unified transcript. <see cref="Text"/> is always tokenized.</summary>
[GenerateSerializer, Immutable, Alias("transcript-turn")]
public sealed record TranscriptTurn(
    [property: Id(0)] Channel Channel,
    [property: Id(1)] Direction Direction,
    [property: Id(2)] DateTimeOffset Time,
    [property: Id(3)] string Text,
    [property: Id(4)] string? MessageId = null);

/// <summary>What older, folded-away turns amounted to, so state stays bounded.</summary>
[GenerateSerializer, Alias("transcript-summary")]
public sealed class TranscriptSummary
{
    [Id(0)] public int FoldedTurns { get; set; }
    [Id(1)] public DateTimeOffset? FirstTurnAt { get; set; }
    [Id(2)] public DateTimeOffset? LastFoldedAt { get; set; }
    /// <summary>Folded turns per channel; allocated on the first fold (most customers' transcripts never fold).</summary>
    public Dictionary<Channel, int> TurnsByChannel { get => _turnsByChannel ??= []; set => _turnsByChannel = value; }
    // Serialized as the property was (same [Id], same type): null until the first fold (docs/performance.md, mem7).
    [Id(3)] private Dictionary<Channel, int>? _turnsByChannel;
}

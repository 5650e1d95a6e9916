namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>What the engine did with an inbound turn. <see cref="Duplicate"/> is true when the message id was seen before: the reply is the one given then.</summary>
[GenerateSerializer, Immutable, Alias("turn-result")]
public sealed record TurnResult(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] EngineReply Reply,
    [property: Id(3)] string TokenizedText);

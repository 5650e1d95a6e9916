using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// What a channel hands the engine: one message from a customer. <see cref="Text"/> may hold raw PII here, in
/// memory only; the customer grain tokenizes it before anything logs or stores it.
/// <see cref="MessageId"/> is the channel's own id (a wamid, an RTP-derived id, a web chat frame id): the same id is processed once.
/// </summary>
[GenerateSerializer, Immutable, Alias("inbound-turn")]
public sealed record InboundTurn(
    [property: Id(0)] string Tenant,
    [property: Id(1)] Channel Channel,
    [property: Id(2)] ChannelAddress From,
    [property: Id(3)] string MessageId,
    [property: Id(4)] string? Text,
    [property: Id(5)] TurnPayload? Payload,
    [property: Id(6)] DateTimeOffset Time,
    [property: Id(7)] TurnRules? Rules = null);

/// <summary>Structured input beside or instead of text: a button or list choice, DTMF digits, a location, media, a reaction.</summary>
[GenerateSerializer, Immutable, Alias("turn-payload")]
public sealed record TurnPayload(
    [property: Id(0)] PayloadKind Kind,
    [property: Id(1)] string? Id = null,
    [property: Id(2)] string? Title = null,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Fields = null);

[GenerateSerializer, Alias("payload-kind")]
public enum PayloadKind
{
    Choice = 0,
    Dtmf = 1,
    Location = 2,
    Media = 3,
    Reaction = 4,
}

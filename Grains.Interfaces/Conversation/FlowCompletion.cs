namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// Set on the reply of the turn that completed a flow's action: which flow, and its written confirmation (the flow's
/// <c>confirmation</c> text, or its success text). Channels that leave nothing in writing (a phone call) send it to the
/// customer's messaging channel afterwards. Tokenized values only, like every reply.
/// </summary>
[GenerateSerializer, Immutable, Alias("flow-completion")]
public sealed record FlowCompletion(
    [property: Id(0)] string Flow,
    [property: Id(1)] string Intent,
    [property: Id(2)] string Title,
    [property: Id(3)] string Confirmation);

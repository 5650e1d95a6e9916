namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// What the engine expects the customer to answer next, so a voice channel can listen for it (a speech grammar per
/// turn) and a recording can pause for secrets. A hint only: channels that do not need it ignore it.
/// <see cref="Type"/> is the pending slot's type (<c>city</c>, <c>date</c>, <c>time</c>, <c>number</c>, <c>yes_no</c>,
/// a bot entity...), <see cref="ReplyExpectation.Confirm"/> for a yes/no confirmation, <see cref="ReplyExpectation.Menu"/>
/// when no flow is open. <see cref="Phrases"/> are words the answer may be (an enumeration's values and synonyms);
/// <see cref="Codes"/> are those of them that are an enumeration's codes ("BOM" for Mumbai), typed but not said.
/// </summary>
[GenerateSerializer, Immutable, Alias("reply-expectation")]
public sealed record ReplyExpectation(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Slot = null,
    [property: Id(2)] IReadOnlyList<string>? Phrases = null,
    [property: Id(3)] bool Secret = false,
    [property: Id(4)] IReadOnlyList<string>? Codes = null)
{
    public const string Confirm = "confirm";
    public const string Change = "change";
    public const string Menu = "menu";

    public IReadOnlyList<string> PhraseList => Phrases ?? [];

    public IReadOnlyList<string> CodeList => Codes ?? [];
}

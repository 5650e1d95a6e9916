namespace Switchboard.Dialog.Llm;

/// <summary>What the language model may propose for one turn; the engine validates each against the bot before using it.</summary>
public enum DialogCommandKind
{
    StartFlow,
    SetSlot,
    CorrectSlot,
    Cancel,
    HandOff,
    AnswerDigression,
}

/// <param name="Flow">StartFlow: the flow's name.</param>
/// <param name="Slot">SetSlot / CorrectSlot: a slot of the open (or just started) flow.</param>
/// <param name="Value">SetSlot / CorrectSlot: the value, which must appear in what the customer said.</param>
/// <param name="Intent">AnswerDigression: an intent with a reply or one the engine handles itself (help, repeat).</param>
public sealed record DialogCommand(DialogCommandKind Kind, string? Flow = null, string? Slot = null, string? Value = null, string? Intent = null);

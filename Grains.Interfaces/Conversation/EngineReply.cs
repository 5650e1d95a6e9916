namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// The engine's answer, independent of any channel. Renderers turn it into WhatsApp buttons, a web chat card,
/// plain SMS, RCS suggestions or speakable text.
/// </summary>
[GenerateSerializer, Immutable, Alias("engine-reply")]
public sealed record EngineReply(
    [property: Id(0)] string Text,
    [property: Id(1)] ReplyStyle Style = ReplyStyle.Text,
    [property: Id(2)] IReadOnlyList<ReplyOption>? Options = null,
    [property: Id(3)] ReplyCard? Card = null,
    [property: Id(4)] ReplyAction? Action = null,
    [property: Id(5)] ReplyExpectation? Expect = null,
    [property: Id(6)] FlowCompletion? Completed = null)
{
    public IReadOnlyList<ReplyOption> OptionList => Options ?? [];

    /// <summary>
    /// Nothing to say: no text, options, card or action. The engine's answer to a duplicate older than its reply
    /// window (answered back then), and a reply no channel sends.
    /// </summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && OptionList.Count == 0 && Card is null && Action is null;
}

[GenerateSerializer, Alias("reply-style")]
public enum ReplyStyle
{
    Text = 0,
    QuickReplies = 1,
    List = 2,
    Card = 3,
    Confirmation = 4,
}

[GenerateSerializer, Immutable, Alias("reply-option")]
public sealed record ReplyOption(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Description = null);

[GenerateSerializer, Immutable, Alias("reply-card")]
public sealed record ReplyCard(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Subtitle = null,
    [property: Id(2)] IReadOnlyDictionary<string, string>? Facts = null);

/// <summary>
/// Something the channel must do besides showing text: offer a call carrying the session token, hand to a human.
/// For <see cref="ReplyActionKind.CallUs"/>: <see cref="Target"/> is the number to call, <see cref="CallCode"/> a 6-digit code the caller can key in.
/// </summary>
[GenerateSerializer, Immutable, Alias("reply-action")]
public sealed record ReplyAction(
    [property: Id(0)] ReplyActionKind Kind,
    [property: Id(1)] string? Target = null,
    [property: Id(2)] string? SessionToken = null,
    [property: Id(3)] string? Summary = null,
    [property: Id(4)] string? CallCode = null);

[GenerateSerializer, Alias("reply-action-kind")]
public enum ReplyActionKind
{
    CallUs = 0,
    HandToAgent = 1,
    ContinueOnWeb = 2,
    EndConversation = 3,
}

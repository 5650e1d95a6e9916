using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// The markers the voice channel sends the engine besides keyed digits. A call starts with a turn whose text is empty
/// and whose payload is a <see cref="PayloadKind.Choice"/> with id <see cref="CallStartId"/>: the engine's reply is the greeting.
/// </summary>
public static class VoiceTurns
{
    public const string CallStartId = "voice:call-start";
    public const string OutboundAnsweredId = "voice:outbound-answered";
    public const string CallCodeJoinedId = "voice:call-code-joined";

    public static TurnPayload CallStart { get; } = new(PayloadKind.Choice, CallStartId, "call started");

    public static TurnPayload OutboundAnswered { get; } = new(PayloadKind.Choice, OutboundAnsweredId, "call answered");

    public static TurnPayload CallCodeJoined { get; } = new(PayloadKind.Choice, CallCodeJoinedId, "call code accepted");

    /// <summary>Keyed digits; <paramref name="optionId"/> names the reply option the digit picked, if any.</summary>
    public static TurnPayload Digits(string digits, string? optionId) =>
        new(PayloadKind.Dtmf, digits, null, optionId is null ? null : new Dictionary<string, string> { ["option"] = optionId });

    /// <summary><c>*</c> and six digits: a call code from the WhatsApp "call us" flow.</summary>
    public static bool IsCallCode(string digits) => digits.Length == 7 && digits[0] == '*' && digits.Skip(1).All(char.IsAsciiDigit);
}

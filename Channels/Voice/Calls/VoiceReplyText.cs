using System.Text;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// Turns the engine's channel-agnostic reply into what the caller hears with a keypad: the text, then
/// "For X, press 1. For Y, press 2." Key n picks option n, so <see cref="OptionForDigits"/> maps digits back.
/// The dialog layer's voice renderer replaces this (register another <see cref="IVoiceReplyRenderer"/>).
/// </summary>
public sealed class VoiceReplyText : IVoiceReplyRenderer
{
    public const int MaxKeypadOptions = 9;

    public string Render(EngineReply reply)
    {
        var sb = new StringBuilder(reply.Text.Trim());
        var options = reply.OptionList;
        for (var i = 0; i < options.Count && i < MaxKeypadOptions; i++)
        {
            if (sb.Length > 0 && !".!?".Contains(sb[^1])) sb.Append('.');
            if (sb.Length > 0) sb.Append(' ');
            sb.Append("For ").Append(options[i].Title.Trim()).Append(", press ").Append(i + 1).Append('.');
        }
        return sb.ToString();
    }

    /// <summary>The option a keyed digit picks in the reply that was spoken, or null.</summary>
    public static ReplyOption? OptionForDigits(EngineReply? lastReply, string digits)
    {
        if (lastReply is null || digits.Length != 1 || digits[0] is < '1' or > '9') return null;
        var index = digits[0] - '1';
        return index < lastReply.OptionList.Count ? lastReply.OptionList[index] : null;
    }
}

/// <summary>How a reply is spoken on a call. Swap the registration to change the wording.</summary>
public interface IVoiceReplyRenderer
{
    string Render(EngineReply reply);
}

using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Voice.Tests;

/// <summary>A reply's options are spoken as keypad choices and the keys map back to them.</summary>
public sealed class VoiceReplyTextTests
{
    [Fact]
    public void Options_are_spoken_as_keypad_choices_and_keys_map_back()
    {
        var reply = new EngineReply("How can we help?", ReplyStyle.QuickReplies, [new ReplyOption("bal", "your balance"), new ReplyOption("agent", "an agent")]);
        Assert.Equal("How can we help? For your balance, press 1. For an agent, press 2.", new VoiceReplyText().Render(reply));
        Assert.Equal("agent", VoiceReplyText.OptionForDigits(reply, "2")?.Id);
        Assert.Null(VoiceReplyText.OptionForDigits(reply, "3"));
    }
}

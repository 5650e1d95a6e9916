using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Outbox;

public static class EngineReplies
{
    /// <summary>
    /// True for the empty reply the engine returns for a duplicate older than its reply window: that message was answered
    /// back then, so a channel sends nothing now.
    /// </summary>
    public static bool IsEmpty(EngineReply reply) =>
        string.IsNullOrWhiteSpace(reply.Text) && reply.OptionList.Count == 0 && reply.Card is null && reply.Action is null;
}

using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>What every messaging channel does with the reply its turn recorded: the one reply pipeline they share.</summary>
public static class ChannelReplies
{
    /// <summary>
    /// Hands the reply to the dispatcher. A reply sent through a provider is not waited for (it is durable with the turn
    /// and resumes after a crash); one that stays local (no API configured) is waited for, so the listing shows it when
    /// the webhook is answered.
    /// </summary>
    /// <param name="redelivered">The turn was a redelivery: the reply may have been sent meanwhile, so the dispatcher checks the outbox first.</param>
    public static Task HandOffAsync(ReplyDispatcher replies, OutboxEntry reply, bool redelivered)
    {
        var handOff = replies.Submit(reply, resumed: redelivered);
        return reply.Message.Delivery == OutboundDelivery.Dispatch ? Task.CompletedTask : handOff;
    }
}

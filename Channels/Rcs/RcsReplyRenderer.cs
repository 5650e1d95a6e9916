using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Rcs;

/// <summary>A recorded reply as one RBM contentMessage (suggested replies, a dial action with the turn's call code).</summary>
public sealed class RcsReplyRenderer(TenantDirectory tenants) : IReplyRenderer
{
    public Channel Channel => Channel.Rcs;

    public IReadOnlyList<OutboundMessage> Render(OutboundMessage reply)
    {
        var engineReply = reply.Reply ?? new EngineReply("");
        var code = engineReply.Action?.Kind == ReplyActionKind.CallUs ? engineReply.Action.CallCode : null;
        var content = RcsRenderer.Render(engineReply, tenants.Find(reply.Tenant)?.VoiceNumber, code);
        return [reply with { Body = content.ToJsonString(), Reply = null }];
    }
}

using System.Text.Json.Nodes;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Sms;

/// <summary>A recorded reply as one SMS body (numbered options, the call line with the turn's call code), summarised with its segment count.</summary>
public sealed class SmsReplyRenderer(TenantDirectory tenants, SmsOptions options) : IReplyRenderer
{
    public Channel Channel => Channel.Sms;

    public IReadOnlyList<OutboundMessage> Render(OutboundMessage reply)
    {
        var engineReply = reply.Reply ?? new EngineReply("");
        var code = engineReply.Action?.Kind == ReplyActionKind.CallUs ? engineReply.Action.CallCode : null;
        var rendering = SmsRenderer.Render(engineReply, options.MaxSegments, tenants.Find(reply.Tenant)?.VoiceNumber, code);
        return [reply with
        {
            Body = new JsonObject { ["body"] = rendering.Text }.ToJsonString(),
            Summary = $"{(rendering.Text.Length > 100 ? rendering.Text[..97] + "..." : rendering.Text)} [{rendering.Segments} {rendering.Alphabet}]",
            Reply = null,
        }];
    }
}

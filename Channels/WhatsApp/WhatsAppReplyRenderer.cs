using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.WhatsApp;

/// <summary>
/// A recorded reply as Cloud API messages: buttons, lists or text parts (see <see cref="WhatsAppRenderer"/>), the
/// call-us button with the call code the turn issued, the continue-on-web link with the session token it issued.
/// Part <c>i</c> gets the idempotency key <c>{reply key}:{i}</c>.
/// </summary>
public sealed class WhatsAppReplyRenderer(TenantDirectory tenants, WhatsAppOptions options) : IReplyRenderer
{
    public Channel Channel => Channel.WhatsApp;

    public IReadOnlyList<OutboundMessage> Render(OutboundMessage reply)
    {
        var engineReply = reply.Reply ?? new EngineReply("");
        var tenant = tenants.Find(reply.Tenant);
        var rendering = WhatsAppRenderer.Render(engineReply, Context(tenant, engineReply, reply.PublicBaseUrl));
        var parts = new List<OutboundMessage>(rendering.Messages.Count);
        for (var i = 0; i < rendering.Messages.Count; i++)
            parts.Add(reply with
            {
                Body = rendering.Messages[i].ToJsonString(),
                Summary = i == 0 ? rendering.Summary : $"(part {i + 1}) {rendering.Summary}",
                IdempotencyKey = $"{reply.IdempotencyKey}:{i}",
                Reply = null,
            });
        return parts;
    }

    private WhatsAppRenderContext Context(TenantOptions? tenant, EngineReply reply, string? publicBaseUrl)
    {
        switch (reply.Action?.Kind)
        {
            case ReplyActionKind.CallUs:
                return new WhatsAppRenderContext(tenant?.VoiceNumber, reply.Action.CallCode);
            case ReplyActionKind.ContinueOnWeb when reply.Action.SessionToken is { } token:
                var baseUrl = (options.PublicBaseUrl ?? publicBaseUrl ?? "").TrimEnd('/');
                var site = tenant?.EndpointsOn(Channel.WebChat).FirstOrDefault();
                var link = $"{baseUrl}/chat?token={Uri.EscapeDataString(token)}" + (site is null ? "" : $"&site={Uri.EscapeDataString(site)}");
                return new WhatsAppRenderContext(tenant?.VoiceNumber, null, link);
            default:
                return new WhatsAppRenderContext(tenant?.VoiceNumber);
        }
    }
}

using Microsoft.Extensions.Logging;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Grains.Tenancy;

namespace Switchboard.Channels.Sms;

/// <summary>One inbound SMS or delivery receipt, processed before the provider is answered (as for WhatsApp: nothing acknowledged is lost).</summary>
public sealed class SmsWebhook(IGrainFactory grains, TenantDirectory tenants, SmsOptions options, SmsApi api, OutboxClient outbox, TimeProvider time, ILogger<SmsWebhook> logger)
{
    public const string OptOutReply = "You have been unsubscribed and will get no more messages. Reply START to subscribe again.";
    public const string OptInReply = "You are subscribed again. Reply STOP to unsubscribe, HELP for help.";

    public async Task<string> ProcessAsync(IReadOnlyDictionary<string, string> form)
    {
        var sid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsSid");
        if (string.IsNullOrWhiteSpace(sid) || sid.Length > 64) return "ignored";
        if (form.TryGetValue("MessageStatus", out var status) && !form.ContainsKey("Body"))
            return await Receipt(sid, status, form.GetValueOrDefault("To"), form.GetValueOrDefault("ErrorCode"));

        var from = form.GetValueOrDefault("From");
        var to = form.GetValueOrDefault("To");
        var body = form.GetValueOrDefault("Body") ?? "";
        if (string.IsNullOrWhiteSpace(from)) return "ignored";
        var tenant = tenants.ForEndpoint(TenantEndpoint.SmsNumber, to);

        TurnResult result;
        try
        {
            result = await grains.GetGrain<IConversationIngressGrain>(0).Receive(
                new InboundTurn(tenant.Id, Channel.Sms, new ChannelAddress(AddressKind.Phone, from), sid, body, null, time.GetUtcNow()));
        }
        catch (Exception e) when (e is InvalidAddressException or ArgumentException)
        {
            logger.LogWarning("SMS {MessageId} rejected: {Reason}", sid, e.GetType().Name);
            return "rejected";
        }

        var reply = result.Reply;
        if (result.Duplicate && EngineReplies.IsEmpty(reply)) return "duplicate";
        ConsentPurpose? purpose = ConsentPurpose.Transactional;
        var keyword = ConsentKeywords.Match(body, options.OptOutKeywords, options.OptInKeywords);
        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, result.CustomerId));
        if (keyword != KeywordIntent.None)
        {
            // On SMS, STOP means every message (carrier rules), not only marketing.
            var newStatus = keyword == KeywordIntent.OptOut ? ConsentStatus.Revoked : ConsentStatus.Granted;
            foreach (var p in new[] { ConsentPurpose.Transactional, ConsentPurpose.Marketing })
                if ((await customer.CanContact(Channel.Sms, p)).Status != newStatus)
                    await customer.RecordConsent(new ConsentChange(Channel.Sms, p, newStatus, "sms-keyword", $"message {sid}", time.GetUtcNow()));
            reply = new EngineReply(keyword == KeywordIntent.OptOut ? OptOutReply : OptInReply);
            purpose = null;
        }
        else if (ConsentKeywords.Match(body, options.HelpKeywords, []) == KeywordIntent.OptOut)
        {
            reply = new EngineReply($"{(string.IsNullOrEmpty(tenant.DisplayName) ? "We" : tenant.DisplayName)} can help here" +
                (tenant.VoiceNumber is null ? "." : $" or on {tenant.VoiceNumber}.") + " Reply STOP to unsubscribe.");
            purpose = null;
        }

        string? code = null;
        if (reply.Action?.Kind == ReplyActionKind.CallUs)
            code = await grains.GetGrain<IConversationIngressGrain>(0).IssueCallCode(tenant.Id, result.CustomerId, TimeSpan.FromMinutes(15));
        var rendering = SmsRenderer.Render(reply, options.MaxSegments, tenant.VoiceNumber, code);
        var message = new OutboundMessage(tenant.Id, result.CustomerId, Channel.Sms, api.RecipientFor(ToE164(from)), OutboundKind.FreeForm,
            new System.Text.Json.Nodes.JsonObject { ["body"] = rendering.Text }.ToJsonString(),
            $"{(rendering.Text.Length > 100 ? rendering.Text[..97] + "..." : rendering.Text)} [{rendering.Segments} {rendering.Alphabet}]",
            $"sms-reply:{result.CustomerId}:{sid}", api.Delivery, Sender: to);
        var queued = await outbox.EnqueueAsync(message, purpose);
        if (!queued.Accepted) logger.LogInformation("Reply to SMS {MessageId} refused: {Kind}", sid, queued.RefusalKind);
        return queued.Accepted ? "answered" : "refused";
    }

    private async Task<string> Receipt(string sid, string status, string? to, string? errorCode)
    {
        var mapped = status switch
        {
            "sent" => OutboxStatus.Sent,
            "delivered" => OutboxStatus.Delivered,
            "read" => OutboxStatus.Read,
            "failed" or "undelivered" => OutboxStatus.Failed,
            _ => (OutboxStatus?)null,
        };
        if (mapped is null || string.IsNullOrWhiteSpace(to)) return "ignored";
        var recorded = await outbox.ShardFor(Channel.Sms, ToE164(to)).RecordStatus(new DeliveryReceipt(sid, mapped.Value, time.GetUtcNow(), errorCode is null ? null : "error " + errorCode));
        return recorded ? "status" : "ignored";
    }

    private static string ToE164(string number) => number.StartsWith('+') ? number : "+" + number.TrimStart('0');
}

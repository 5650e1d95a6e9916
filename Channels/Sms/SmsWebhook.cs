using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Sms;

/// <summary>One inbound SMS or delivery receipt, processed before the provider is answered (as for WhatsApp: nothing acknowledged is lost).</summary>
public sealed class SmsWebhook(TurnCalls turns, TenantDirectory tenants, SmsOptions options, SmsApi api, OutboxClient outbox,
    ReplyDispatcher replies, TimeProvider time, ILogger<SmsWebhook> logger)
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
        var tenant = tenants.ForEndpoint(Channel.Sms, to);

        TurnResult result;
        try
        {
            result = await turns.ReceiveAsync(
                new InboundTurn(tenant.Id, Channel.Sms, new ChannelAddress(AddressKind.Phone, from), sid, body, null, time.GetUtcNow(),
                    RulesFor(tenant) with { Route = new ReplyRoute(api.RecipientFor(ToE164(from)), api.Delivery, to) }));
        }
        catch (Exception e) when (e is InvalidAddressException or ArgumentException)
        {
            logger.LogWarning("SMS {MessageId} rejected: {Reason}", sid, e.GetType().Name);
            return "rejected";
        }

        if (result.Outbound is { } reply)
        {
            await ChannelReplies.HandOffAsync(replies, reply, result.Duplicate);
            return "answered";
        }
        if (result.Duplicate) return "duplicate";
        if (result.ReplyRefused is { } refusal) logger.LogInformation("Reply to SMS {MessageId} refused: {Kind}", sid, refusal);
        return "refused";
    }

    /// <summary>On SMS, STOP means every message (carrier rules), not only marketing; HELP answers with how to reach us.</summary>
    private TurnRules RulesFor(TenantOptions tenant) => new(options.OptOutKeywords, options.OptInKeywords,
        [ConsentPurpose.Transactional, ConsentPurpose.Marketing], OptOutReply, OptInReply, CallCodeLifetime, TimeSpan.Zero,
        HelpWords: options.HelpKeywords,
        HelpReply: $"{(string.IsNullOrEmpty(tenant.DisplayName) ? "We" : tenant.DisplayName)} can help here" +
            (tenant.VoiceNumber is null ? "." : $" or on {tenant.VoiceNumber}.") + " Reply STOP to unsubscribe.");

    private static readonly TimeSpan CallCodeLifetime = TimeSpan.FromMinutes(15);

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

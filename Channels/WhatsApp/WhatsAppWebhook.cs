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

namespace Switchboard.Channels.WhatsApp;

/// <summary>What one webhook delivery amounted to (returned as the 200 body; Meta ignores it, tests and operators read it).</summary>
public sealed record WebhookReport(int Messages, int Duplicates, int Ignored, int Rejected, int Statuses, int Preferences, int RepliesQueued, int RepliesRefused);

/// <summary>
/// Processes a verified webhook inline, before it is acknowledged: each message goes through the engine (which records
/// it, idempotently on its wamid) and its reply is stored in the durable outbox; statuses and preference changes are
/// recorded. Only then does the caller answer 200, so nothing acknowledged is lost; a failure answers 500 and Meta
/// redelivers, which the wamid makes harmless. One sender's messages run in order; different senders in parallel.
/// </summary>
public sealed class WhatsAppWebhook(IGrainFactory grains, TurnCalls turns, TenantDirectory tenants, WhatsAppOptions options, WhatsAppCloudApi api, OutboxClient outbox,
    ReplyDispatcher replies, TimeProvider time, ILogger<WhatsAppWebhook> logger)
{
    public const string OptOutReply = "You will no longer receive marketing messages from us on WhatsApp. Send START to subscribe again.";
    public const string OptInReply = "You are subscribed to our WhatsApp updates again. Send STOP to unsubscribe.";

    // STOP / START change WhatsApp marketing consent inside the turn; the reply then needs transactional consent.
    private readonly TurnRules _rules = new(options.OptOutKeywords, options.OptInKeywords, [ConsentPurpose.Marketing],
        OptOutReply, OptInReply, options.CallCodeLifetime, options.WebLinkLifetime);

    private sealed class Counters
    {
        public int Messages, Duplicates, Ignored, Rejected, Statuses, Preferences, Queued, Refused;
    }

    public async Task<WebhookReport> ProcessAsync(WebhookPayload payload, string publicBaseUrl)
    {
        var counters = new Counters();
        var messages = new List<(TenantOptions Tenant, string? NumberId, WaMessage Message)>();
        var statuses = new List<WaStatus>();
        var preferences = new List<(TenantOptions Tenant, WaUserPreference Preference)>();
        foreach (var entry in payload.Entry ?? [])
            foreach (var change in entry.Changes ?? [])
            {
                var numberId = change.Value?.Metadata?.PhoneNumberId;
                var tenant = tenants.ForEndpoint(Channel.WhatsApp, numberId);
                switch (change.Field)
                {
                    case "messages":
                        foreach (var m in change.Value?.Messages ?? []) messages.Add((tenant, numberId, m));
                        statuses.AddRange(change.Value?.Statuses ?? []);
                        break;
                    case "user_preferences":
                        foreach (var p in change.Value?.UserPreferences ?? []) preferences.Add((tenant, p));
                        break;
                    default:
                        Interlocked.Increment(ref counters.Ignored);
                        break;
                }
            }

        if (messages.Count == 1 && statuses.Count == 0)
        {
            // The common case, one message and nothing else: no grouping, no task per sender, no WhenAll.
            var (tenant, numberId, m) = messages[0];
            await HandleMessage(tenant, numberId, m, publicBaseUrl, counters);
        }
        else
        {
            var bySender = messages.GroupBy(m => m.Message.From ?? "");
            var messageWork = Task.WhenAll(bySender.Select(async group =>
            {
                foreach (var (tenant, numberId, m) in group) await HandleMessage(tenant, numberId, m, publicBaseUrl, counters);
            }));
            var statusWork = Task.WhenAll(statuses.Select(s => HandleStatus(s, counters)));
            await Task.WhenAll(messageWork, statusWork);
        }
        foreach (var (tenant, p) in preferences) await HandlePreference(tenant, p, counters);

        return new WebhookReport(counters.Messages, counters.Duplicates, counters.Ignored, counters.Rejected, counters.Statuses,
            counters.Preferences, counters.Queued, counters.Refused);
    }

    private async Task HandleMessage(TenantOptions tenant, string? numberId, WaMessage m, string publicBaseUrl, Counters counters)
    {
        if (string.IsNullOrWhiteSpace(m.Id) || m.Id.Length > 256 || string.IsNullOrWhiteSpace(m.From))
        {
            Interlocked.Increment(ref counters.Rejected);
            logger.LogWarning("WhatsApp message without a usable id or sender skipped");
            return;
        }
        var turn = WhatsAppInbound.ToTurn(tenant.Id, m) is { } t
            ? t with { Rules = _rules with { Route = new ReplyRoute(api.RecipientFor(m.From), api.Delivery, numberId, publicBaseUrl), ReplyNeedsWindow = true } }
            : null;
        if (turn is null)
        {
            Interlocked.Increment(ref counters.Ignored);
            logger.LogInformation("WhatsApp message {MessageId} of type {Type} is not one we read; acknowledged and ignored", m.Id, Safe(m.Type));
            return;
        }
        if (turn.Time == default) turn = turn with { Time = time.GetUtcNow() };

        TurnResult result;
        try
        {
            var started = time.GetTimestamp();
            result = await turns.ReceiveAsync(turn);
            WhatsAppMetrics.EngineTurn.Record(time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is InvalidAddressException or ArgumentException)
        {
            // Bad input is answered 200 all the same: Meta would redeliver it for a week and it would never get better.
            Interlocked.Increment(ref counters.Rejected);
            logger.LogWarning("WhatsApp message {MessageId} rejected: {Reason}", m.Id, e.GetType().Name);
            return;
        }
        Interlocked.Increment(ref counters.Messages);
        if (result.Duplicate) Interlocked.Increment(ref counters.Duplicates);

        if (turn.Payload?.Kind == PayloadKind.Reaction)
        {
            // A reaction opens the window but asks for no answer.
            await outbox.ShardFor(Channel.WhatsApp, m.From).NoteInbound(result.CustomerId, turn.Time);
            return;
        }
        // The reply was recorded with the turn: it leaves from memory now.
        if (result.Outbound is { } reply)
        {
            await ChannelReplies.HandOffAsync(replies, reply, result.Duplicate);
            Interlocked.Increment(ref counters.Queued);
        }
        else if (result.ReplyRefused is { } refusal)
        {
            Interlocked.Increment(ref counters.Refused);
            logger.LogInformation("Reply to WhatsApp message {MessageId} refused: {Kind}", m.Id, refusal);
        }
    }

    private async Task HandleStatus(WaStatus s, Counters counters)
    {
        var status = s.Status switch
        {
            "sent" => OutboxStatus.Sent,
            "delivered" => OutboxStatus.Delivered,
            "read" => OutboxStatus.Read,
            "failed" => OutboxStatus.Failed,
            _ => (OutboxStatus?)null,
        };
        if (status is null || string.IsNullOrWhiteSpace(s.Id) || string.IsNullOrWhiteSpace(s.RecipientId))
        {
            Interlocked.Increment(ref counters.Ignored);
            return;
        }
        var detail = s.Errors is { Count: > 0 } errors ? $"{errors[0].Code} {errors[0].Title}" : null;
        var at = WhatsAppInbound.UnixTime(s.Timestamp) ?? time.GetUtcNow();
        if (await outbox.ShardFor(Channel.WhatsApp, s.RecipientId).RecordStatus(new DeliveryReceipt(s.Id, status.Value, at, detail)))
            Interlocked.Increment(ref counters.Statuses);
        else
            Interlocked.Increment(ref counters.Ignored);
    }

    private async Task HandlePreference(TenantOptions tenant, WaUserPreference p, Counters counters)
    {
        var status = p.Value switch { "stop" => ConsentStatus.Revoked, "resume" => ConsentStatus.Granted, _ => (ConsentStatus?)null };
        if (p.Category != "marketing_messages" || status is null || string.IsNullOrWhiteSpace(p.WaId))
        {
            Interlocked.Increment(ref counters.Ignored);
            return;
        }
        string? customerId;
        try
        {
            customerId = await ConversationIngress.For(grains, p.WaId).Resolve(tenant.Id, new ChannelAddress(AddressKind.WhatsApp, p.WaId));
        }
        catch (InvalidAddressException)
        {
            Interlocked.Increment(ref counters.Rejected);
            return;
        }
        if (customerId is null)
        {
            Interlocked.Increment(ref counters.Ignored);
            logger.LogInformation("Marketing preference for an unknown WhatsApp user ignored");
            return;
        }
        var at = WhatsAppInbound.UnixTime(p.Timestamp) ?? time.GetUtcNow();
        await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId)).RecordConsent(
            new ConsentChange(Channel.WhatsApp, ConsentPurpose.Marketing, status.Value, "whatsapp-user-preferences", $"user_preferences {p.Value} at {p.Timestamp}", at));
        Interlocked.Increment(ref counters.Preferences);
    }

    private static string Safe(string? type) => type is { Length: <= 32 } t && t.All(char.IsAsciiLetterOrDigit) ? t : "other";
}

using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>What became of a written confirmation: the channel and outbox entry it went to, or why none took it.</summary>
public sealed record ConfirmationResult(Channel? Channel, string? EntryId, bool Duplicate, IReadOnlyList<string> Refusals)
{
    public bool Sent => Channel is not null;
}

/// <summary>
/// Sends the written record of a flow completed on a phone call (<see cref="FlowCompletion"/>) to the customer's
/// messaging channel through the outbox, so consent, the WhatsApp window and retries apply as to any message.
/// Idempotent per completing turn: a repeated call enqueues nothing new.
/// </summary>
public sealed class WrittenConfirmations(
    IGrainFactory grains, IEnumerable<IOutboundChannel> channels, OutboxClient outbox, WrittenConfirmationOptions options,
    ILogger<WrittenConfirmations> logger)
{
    private readonly IReadOnlyList<Channel> _order = options.ParsedChannels();

    /// <param name="turnMessageId">The id of the turn that completed the flow (its confirmation's idempotency key).</param>
    public async Task<ConfirmationResult> SendAsync(string tenant, string customerId, FlowCompletion completion, string turnMessageId)
    {
        var refusals = new List<string>();
        if (!options.Enabled) return new ConfirmationResult(null, null, false, ["disabled"]);
        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant, customerId));
        var phone = await outbox.PhoneOfAsync(tenant, customerId);
        if (phone is null) refusals.Add("no phone number known");
        else
        {
            foreach (var kind in _order)
            {
                var channel = channels.LastOrDefault(c => c.Channel == kind);
                if (channel is null) { refusals.Add($"{kind.ToWire()}: no outbound channel"); continue; }
                var key = $"confirm:{customerId}:{turnMessageId}";
                var message = new OutboundMessage(tenant, customerId, kind, channel.RecipientFor(phone), OutboundKind.FreeForm,
                    channel.ComposeText(completion.Confirmation), completion.Confirmation, key, channel.Delivery);
                var result = await outbox.EnqueueAsync(message, ConsentPurpose.Transactional);
                if (!result.Accepted && result.RefusalKind == "outside-service-window" && kind == Channel.WhatsApp
                    && !string.IsNullOrWhiteSpace(options.WhatsAppTemplate)
                    && channel.ComposeTemplate(options.WhatsAppTemplate, options.WhatsAppTemplateLanguage, [completion.Confirmation]) is { } template)
                {
                    result = await outbox.EnqueueAsync(message with { Kind = OutboundKind.Template, Body = template, IdempotencyKey = key + ":template" },
                        ConsentPurpose.Transactional);
                }
                if (result.Accepted)
                {
                    if (!result.Duplicate) await customer.RecordOutbound(kind, completion.Confirmation, result.EntryId);
                    logger.LogInformation("Written confirmation of flow {Flow} for customer {CustomerId} queued on {Channel} as {EntryId}",
                        completion.Flow, customerId, kind.ToWire(), result.EntryId);
                    return new ConfirmationResult(kind, result.EntryId, result.Duplicate, refusals);
                }
                refusals.Add($"{kind.ToWire()}: {result.RefusalKind} ({result.Reason})");
            }
        }
        logger.LogInformation("No written confirmation of flow {Flow} for customer {CustomerId}: {Refusals}",
            completion.Flow, customerId, string.Join("; ", refusals));
        return new ConfirmationResult(null, null, false, refusals);
    }
}

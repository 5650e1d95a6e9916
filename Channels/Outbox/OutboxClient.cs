using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// The way every channel sends: checks consent for the stated purpose, stores the message in the recipient's outbox
/// shard (which enforces the 24-hour window), and wakes the dispatcher. A refusal carries the reason. Both calls are made
/// again after a silo loss (<see cref="OutboxCalls"/>; the enqueue is idempotent by key); when no silo answers within the
/// budget the call fails with a <see cref="TimeoutException"/>, which a request answers 503 with Retry-After.
/// </summary>
public sealed class OutboxClient(IGrainFactory grains, OutboxPolicy policy, OutboxSignal signal, ILogger<OutboxClient> logger, RecipientSeal recipients,
    OutboxCalls? outboxCalls = null)
{
    private readonly OutboxCalls _calls = outboxCalls ?? new OutboxCalls();

    public IOutboxGrain ShardFor(Channel channel, string recipient) =>
        grains.GetGrain<IOutboxGrain>(OutboxKeys.Shard(channel, recipient, policy.Shards));

    /// <param name="purpose">The consent purpose to check; null for compliance notices (an opt-out confirmation) that must go out regardless.</param>
    public async Task<EnqueueResult> EnqueueAsync(OutboundMessage message, ConsentPurpose? purpose)
    {
        if (purpose is { } p)
        {
            var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(message.Tenant, message.CustomerId));
            var decision = await _calls.CallAsync(() => customer.CanContact(message.Channel, p), "can-contact");
            if (!decision.Allowed)
            {
                logger.LogInformation("Outbound {Purpose} message on {Channel} to customer {CustomerId} refused by consent",
                    p.ToWire(), message.Channel.ToWire(), message.CustomerId);
                return EnqueueResult.Refused("consent", decision.Reason);
            }
            // The customer grain knows when they last wrote here: the shard's window starts from that.
            if (decision.CustomerWroteAt is { } wrote && (message.CustomerMessageAt is null || message.CustomerMessageAt < wrote))
                message = message with { CustomerMessageAt = wrote };
        }
        // The shard comes from the number itself (delivery receipts find it by the number), not from its sealed form.
        var shardKey = OutboxKeys.Shard(message.Channel, recipients.Open(message.Recipient), policy.Shards);
        var shard = grains.GetGrain<IOutboxGrain>(shardKey);
        var result = await _calls.CallAsync(() => shard.Enqueue(message), $"enqueue {shardKey}");
        if (result is { Accepted: true, Duplicate: false } && message.Delivery == OutboundDelivery.Dispatch) signal.Wake(shardKey);
        return result;
    }

    /// <summary>The customer's phone number (E.164) for the phone-based channels (WhatsApp, SMS, RCS), or null when none is known.</summary>
    public async Task<string?> PhoneOfAsync(string tenant, string customerId)
    {
        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant, customerId));
        return (await _calls.CallAsync(() => customer.GetView(), "customer-view")).Addresses.LastOrDefault(a => a.Kind == AddressKind.Phone)?.Value;
    }

    /// <summary>Every shard of every channel, newest first within each shard.</summary>
    public async Task<List<OutboxEntry>> ListAsync(int perShard)
    {
        var calls = new List<Task<IReadOnlyList<OutboxEntry>>>();
        foreach (var channel in Enum.GetValues<Channel>())
            for (var i = 0; i < policy.Shards; i++)
            {
                var shard = grains.GetGrain<IOutboxGrain>(OutboxKeys.Shard(channel, i));
                calls.Add(_calls.CallAsync(() => shard.List(perShard), "list"));
            }
        var all = new List<OutboxEntry>();
        foreach (var list in await Task.WhenAll(calls)) all.AddRange(list);
        return all;
    }
}

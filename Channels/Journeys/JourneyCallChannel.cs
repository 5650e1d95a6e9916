using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Journeys;

/// <summary>
/// The gateway side of a journey's <c>call</c> step: the silo cannot reach the UAC, so the enrolment enqueues an outbox
/// entry on the voice channel (body <c>{"reason","flow","purpose"}</c>) and the outbox dispatcher hands it here. The call
/// is placed with <see cref="ProactiveCalls"/> (voice consent checked again, the reason spoken first), and its outcome
/// becomes the entry's status: sent when answered, failed otherwise (the journey's wait decides what comes next).
/// </summary>
public sealed class JourneyCallChannel(IServiceProvider services, ILogger<JourneyCallChannel> logger, RecipientSeal recipients) : IOutboundChannel
{
    public Channel Channel => Channel.Voice;

    public OutboundDelivery Delivery => OutboundDelivery.Dispatch;

    public string RecipientFor(string e164) => recipients.Seal(e164);

    public string ComposeText(string text) => new JsonObject { ["reason"] = text, ["purpose"] = "transactional" }.ToJsonString();

    public string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters) => null;

    public async Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        string? reason, purposeWire;
        try
        {
            var body = JsonNode.Parse(entry.Message.Body);
            reason = body?["reason"]?.GetValue<string>();
            purposeWire = body?["purpose"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return SendOutcome.Failed("the call request is not JSON");
        }
        if (string.IsNullOrWhiteSpace(reason)) return SendOutcome.Failed("the call request has no reason");
        var purpose = ConsentNames.TryParsePurpose(purposeWire, out var p) && p != ConsentPurpose.CallRecording ? p : ConsentPurpose.Transactional;
        // Resolved per call: the voice agent's own services take every outbound channel (written confirmations), this one included.
        var calls = services.GetRequiredService<ProactiveCalls>();
        string to;
        try { to = recipients.Open(entry.Message.Recipient); }
        catch (System.Security.Cryptography.CryptographicException e) { return SendOutcome.Failed(e.Message); }
        var result = await calls.PlaceAsync(to, reason, entry.Message.Tenant, purpose, cancellationToken);
        if (result is null) return SendOutcome.Failed("the number belongs to no customer of the tenant");
        if (result.RefusedBecause is { } refused) return SendOutcome.Failed("refused: " + refused);
        logger.LogInformation("Journey call to customer {CustomerId}: status {Status}, answered {Answered}", result.CustomerId, result.Status, result.Answered);
        return result.Answered ? SendOutcome.Sent(result.CallId) : SendOutcome.Failed($"not answered ({result.Status})");
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Rcs;

/// <summary>
/// RBM deliveries: a Pub/Sub-style envelope <c>{"message":{"data":"&lt;base64 JSON&gt;"}}</c> signed with
/// <c>X-Goog-Signature</c> = base64(HMAC-SHA512(client token, decoded data)). A UserMessage is a turn; a UserEvent
/// (DELIVERED, READ) is a receipt; IS_TYPING is ignored.
/// </summary>
public sealed class RcsWebhook(TurnCalls turns, TenantDirectory tenants, RcsApi api, OutboxClient outbox, ReplyDispatcher replies,
    TimeProvider time, ILogger<RcsWebhook> logger)
{
    public const string SignatureHeader = "X-Goog-Signature";

    public static bool IsValid(string clientToken, ReadOnlySpan<byte> data, string? header)
    {
        if (string.IsNullOrEmpty(header)) return false;
        Span<byte> presented = stackalloc byte[64];
        if (!Convert.TryFromBase64String(header, presented, out var written) || written != 64) return false;
        var expected = HMACSHA512.HashData(Encoding.UTF8.GetBytes(clientToken), data);
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    public static string Sign(string clientToken, byte[] data) => Convert.ToBase64String(HMACSHA512.HashData(Encoding.UTF8.GetBytes(clientToken), data));

    public async Task<string> ProcessAsync(JsonElement m)
    {
        var sender = Str(m, "senderPhoneNumber");
        var messageId = Str(m, "messageId");
        if (string.IsNullOrWhiteSpace(sender) || string.IsNullOrWhiteSpace(messageId) || messageId.Length > 200) return "ignored";
        var tenant = tenants.ForEndpoint(Channel.Rcs, Str(m, "agentId"));

        if (Str(m, "eventType") is { } eventType)
        {
            var status = eventType switch { "DELIVERED" => OutboxStatus.Delivered, "READ" => OutboxStatus.Read, _ => (OutboxStatus?)null };
            if (status is null) return "ignored";
            var recorded = await outbox.ShardFor(Channel.Rcs, sender).RecordStatus(new DeliveryReceipt(messageId, status.Value, time.GetUtcNow()));
            return recorded ? "status" : "ignored";
        }

        string? text = null;
        TurnPayload? payload = null;
        if (Str(m, "text") is { } t) text = t;
        else if (m.TryGetProperty("suggestionResponse", out var s))
            payload = new TurnPayload(PayloadKind.Choice, Str(s, "postbackData"), Str(s, "text"));
        else if (m.TryGetProperty("location", out var loc) && Number(loc, "latitude") is { } lat && Number(loc, "longitude") is { } lon)
            payload = new TurnPayload(PayloadKind.Location, null, "shared location", new Dictionary<string, string>
            {
                ["latitude"] = lat.ToString(CultureInfo.InvariantCulture),
                ["longitude"] = lon.ToString(CultureInfo.InvariantCulture),
            });
        else if (m.TryGetProperty("userFile", out var file))
            payload = new TurnPayload(PayloadKind.Media, file.ValueKind == JsonValueKind.Object && file.TryGetProperty("payload", out var p) ? Str(p, "fileUri") : null, "file");
        else return "ignored";

        TurnResult result;
        try
        {
            result = await turns.ReceiveAsync(
                new InboundTurn(tenant.Id, Channel.Rcs, new ChannelAddress(AddressKind.Phone, sender), messageId, text, payload, time.GetUtcNow(),
                    Rules with { Route = new ReplyRoute(api.RecipientFor(sender), api.Delivery) }));
        }
        catch (Exception e) when (e is InvalidAddressException or ArgumentException)
        {
            logger.LogWarning("RCS message {MessageId} rejected: {Reason}", messageId, e.GetType().Name);
            return "rejected";
        }
        if (result.Outbound is { } reply)
        {
            await ChannelReplies.HandOffAsync(replies, reply, result.Duplicate);
            return "answered";
        }
        return result.Duplicate ? "duplicate" : "refused";
    }

    private static readonly TurnRules Rules = TurnRules.Plain(TimeSpan.FromMinutes(15), TimeSpan.Zero);

    // Fuzzing found these: a lone escaped surrogate makes GetString throw, and so does a location that is not an object of numbers.
    private static string? Str(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
        try { return v.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;
}

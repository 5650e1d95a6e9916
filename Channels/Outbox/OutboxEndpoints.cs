using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Addressing;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Outbox;

/// <summary>
/// <c>GET /api/outbox</c> lists outbound messages of every channel with their delivery status;
/// <c>POST /api/outbox</c> sends a text or template to a known customer (journeys, agents), checked for consent and the window.
/// Both behind the admin key.
/// </summary>
public static class OutboxEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;

    public sealed record SendRequest(string? Tenant, string? CustomerId, string? Channel, string? Purpose, string? Text, TemplateRequest? Template, string? IdempotencyKey);

    public sealed record TemplateRequest(string? Name, string? Language, List<string>? Parameters);

    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/outbox").AddEndpointFilter<AdminKeyFilter>();
        api.MapGet("", List);
        api.MapPost("", Send);
        return app;
    }

    private static async Task<IResult> List(string? channel, string? status, int? limit, OutboxClient outbox, RecipientSeal recipients)
    {
        Channel? channelFilter = null;
        if (channel is not null)
        {
            if (!ChannelNames.TryParse(channel, out var c)) return Problems.BadRequest("unknown-channel", "channel must be whatsapp, webchat, sms, rcs or voice.");
            channelFilter = c;
        }
        OutboxStatus? statusFilter = null;
        if (status is not null)
        {
            if (!OutboxStatusNames.TryParse(status, out var s)) return Problems.BadRequest("unknown-status", "status must be queued, sent, delivered, read, failed or local.");
            statusFilter = s;
        }
        var max = Math.Clamp(limit ?? 100, 1, 1000);
        var entries = await outbox.ListAsync(max);
        var shown = entries
            .Where(e => channelFilter is null || e.Message.Channel == channelFilter)
            .Where(e => statusFilter is null || e.Status == statusFilter)
            .OrderByDescending(e => e.CreatedAt)
            .Take(max)
            .Select(e => Describe(e, recipients))
            .ToList();
        return Results.Ok(new { count = shown.Count, messages = shown });
    }

    private static object Describe(OutboxEntry e, RecipientSeal recipients) => new
    {
        id = e.Id,
        channel = e.Message.Channel.ToWire(),
        tenant = e.Message.Tenant,
        customerId = e.Message.CustomerId,
        recipient = Mask(Opened(e.Message.Recipient, recipients)),
        kind = e.Message.Kind == OutboundKind.Template ? "template" : "free-form",
        // What makes the message unique (a reply names the customer and the message it answers): lets an operator check "answered once".
        idempotencyKey = e.Message.IdempotencyKey,
        status = e.Status.ToWire(),
        attempts = e.Attempts,
        providerMessageId = e.ProviderMessageId,
        lastError = e.LastError,
        createdAt = e.CreatedAt,
        updatedAt = e.UpdatedAt,
        summary = e.Message.Summary,
        body = e.Message.Body,
        history = e.History.Select(h => new { status = h.Status.ToWire(), at = h.At, detail = h.Detail }),
    };

    /// <summary>The number behind a sealed recipient, for its last digits; one no configured key opens shows as none.</summary>
    private static string Opened(string recipient, RecipientSeal recipients)
    {
        try { return recipients.Open(recipient); }
        catch (System.Security.Cryptography.CryptographicException) { return ""; }
    }

    /// <summary>The listing shows only the last digits of a number.</summary>
    public static string Mask(string recipient) =>
        recipient.Length <= 4 ? "****" : new string('*', recipient.Length - 4) + recipient[^4..];

    private static async Task<IResult> Send(HttpRequest request, TenantDirectory tenants, IGrainFactory grains, IEnumerable<IOutboundChannel> channels, OutboxClient outbox,
        OutboxCalls calls)
    {
        var body = await BoundedBody.ReadJsonAsync<SendRequest>(request, MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        var req = body.Value!;
        if (tenants.FindOrDefault(req.Tenant) is not { } tenant) return Problems.NotFound("unknown-tenant", "No tenant has that id.");
        if (!ChannelNames.TryParse(req.Channel, out var channelKind)) return Problems.BadRequest("unknown-channel", "channel must be whatsapp, sms or rcs.");
        var channel = channels.LastOrDefault(c => c.Channel == channelKind);
        if (channel is null) return Problems.BadRequest("channel-not-outbound", $"{channelKind.ToWire()} has no outbound API here.");
        if (!ConsentNames.TryParsePurpose(req.Purpose, out var purpose) || purpose == ConsentPurpose.CallRecording)
            return Problems.BadRequest("unknown-purpose", "purpose must be transactional or marketing.");
        if (string.IsNullOrWhiteSpace(req.CustomerId)) return Problems.BadRequest("missing-customer", "customerId is required.");
        if ((req.Text is null) == (req.Template is null)) return Problems.BadRequest("text-or-template", "Send exactly one of text and template.");
        if (req.Text is { Length: 0 or > 4096 }) return Problems.BadRequest("text-length", "text is 1 to 4096 characters.");

        string wire;
        OutboundKind kind;
        string summary;
        if (req.Template is { } t)
        {
            if (string.IsNullOrWhiteSpace(t.Name) || t.Name.Length > 512) return Problems.BadRequest("template-name", "template.name is required.");
            var composed = channel.ComposeTemplate(t.Name, string.IsNullOrWhiteSpace(t.Language) ? "en" : t.Language, t.Parameters ?? []);
            if (composed is null) return Problems.BadRequest("no-templates", $"{channelKind.ToWire()} has no templates; send text.");
            (wire, kind, summary) = (composed, OutboundKind.Template, $"[template {t.Name}]");
        }
        else
        {
            (wire, kind, summary) = (channel.ComposeText(req.Text!), OutboundKind.FreeForm, req.Text!);
        }

        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, req.CustomerId));
        // Made again after a silo loss; when no silo answers within the budget, the TimeoutException is answered 503 with Retry-After.
        if (!await calls.CallAsync(() => customer.Exists(), "customer-exists")) return Problems.NotFound("unknown-customer", "No customer has that id.");
        var phone = await outbox.PhoneOfAsync(tenant.Id, req.CustomerId);
        if (phone is null) return Problems.Conflict("no-address", $"The customer has no phone number to reach on {channelKind.ToWire()}.");

        var message = new OutboundMessage(tenant.Id, req.CustomerId, channelKind, channel.RecipientFor(phone), kind, wire, summary,
            "api:" + (string.IsNullOrWhiteSpace(req.IdempotencyKey) ? Guid.NewGuid().ToString("n") : req.IdempotencyKey), channel.Delivery);
        var result = await outbox.EnqueueAsync(message, purpose);
        if (!result.Accepted)
            return Problems.Make(result.RefusalKind == "consent" ? 403 : 409, result.RefusalKind ?? "refused", "The message was refused.", result.Reason ?? "");
        return Results.Accepted($"/api/outbox?channel={channelKind.ToWire()}", new { id = result.EntryId, duplicate = result.Duplicate });
    }
}

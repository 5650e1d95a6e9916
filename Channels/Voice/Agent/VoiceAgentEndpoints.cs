using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Admin endpoints of the voice agent (admin key required): the context a human agent sees when a call is handed
/// over, and proactive calls that open with their reason.
/// </summary>
public static partial class VoiceAgentEndpoints
{
    private const int MaxBodyBytes = 8 * 1024;

    [GeneratedRegex("^c-[0-9a-f]{20}$")]
    private static partial Regex CustomerIdPattern();

    /// <param name="Purpose">transactional (default) or marketing: the voice consent the customer must have given.</param>
    public sealed record ProactiveCallRequest(string? Number, string? Reason, string? Purpose = null);

    public static IEndpointRouteBuilder MapVoiceAgent(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/voice").AddEndpointFilter<AdminKeyFilter>();
        api.MapGet("/handoffs/{customerId}", GetHandoff);
        api.MapPost("/calls", PlaceCall);
        return app;
    }

    /// <summary>What a human agent needs on pickup: the summary given at handoff, the open flow's state, the last turns. Tokenized only.</summary>
    private static async Task<IResult> GetHandoff(string customerId, string? tenant, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return Problems.NotFound("unknown-tenant", "No such tenant.");
        if (!CustomerIdPattern().IsMatch(customerId)) return Problems.BadRequest("invalid-customer-id", "A customer id looks like c- and 20 hex digits.");
        var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, customerId));
        if (!await customer.Exists()) return Problems.NotFound("unknown-customer", "No such customer.");
        var view = await customer.GetView();
        var transcript = await customer.GetTranscript();
        var crm = view.System.CrmProfile;
        return Results.Ok(new
        {
            customerId,
            summary = crm.GetValueOrDefault(HandoffFields.Summary),
            handedOverAt = crm.GetValueOrDefault(HandoffFields.At),
            handedOverOn = crm.GetValueOrDefault(HandoffFields.Channel),
            verified = view.System.Verification.Verified,
            activeFlow = view.Ephemeral.ActiveFlow,
            pendingStep = view.Ephemeral.PendingStep,
            slots = view.Ephemeral.Slots.ToDictionary(kv => kv.Key, kv => kv.Value.Display ?? kv.Value.Value),
            recentIntents = view.PersistentIntent.History.TakeLast(5).Select(h => new { intent = h.Intent, resolution = h.Resolution, channel = h.Channel.ToString().ToLowerInvariant() }),
            lastTurns = transcript.Turns.TakeLast(10).Select(x => new { channel = x.Channel.ToString().ToLowerInvariant(), direction = x.Direction.ToString().ToLowerInvariant(), text = x.Text }),
        });
    }

    private static async Task<IResult> PlaceCall(string? tenant, HttpRequest request, TenantDirectory tenants, ProactiveCalls calls, CancellationToken ct)
    {
        if (tenants.FindOrDefault(tenant) is null) return Problems.NotFound("unknown-tenant", "No such tenant.");
        var body = await BoundedBody.ReadJsonAsync<ProactiveCallRequest>(request, MaxBodyBytes, ct: ct);
        if (!body.Ok) return body.Problem!;
        var r = body.Value!;
        if (string.IsNullOrWhiteSpace(r.Number)) return Problems.BadRequest("missing-number", "number is required (E.164).");
        if (string.IsNullOrWhiteSpace(r.Reason) || r.Reason.Length > 500) return Problems.BadRequest("missing-reason", "reason is required: the first thing the customer hears (at most 500 characters).");
        var purpose = ConsentPurpose.Transactional;
        if (r.Purpose is not null && (!ConsentNames.TryParsePurpose(r.Purpose, out purpose) || purpose == ConsentPurpose.CallRecording))
            return Problems.BadRequest("unknown-purpose", "purpose must be transactional (the default) or marketing.");
        try
        {
            var result = await calls.PlaceAsync(r.Number, r.Reason, tenant, purpose, ct);
            if (result is null) return Problems.NotFound("unknown-customer", "No customer has that number.");
            if (result.RefusedBecause is { } why) return Problems.Forbidden("consent-refused", $"Not called: {why}.");
            return Results.Ok(new { customerId = result.CustomerId, callId = result.CallId, status = result.Status, answered = result.Answered, answeredBy = result.AnsweredBy.ToString().ToLowerInvariant() });
        }
        catch (InvalidAddressException e)
        {
            return Problems.BadRequest("invalid-number", e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Unavailable("outbound-unavailable", e.Message);
        }
    }
}

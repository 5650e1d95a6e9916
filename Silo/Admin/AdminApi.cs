using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Silo.Security;
using Switchboard.Tenancy;
using static Switchboard.Silo.Admin.AdminContracts;

namespace Switchboard.Silo.Admin;

/// <summary>The admin API under <c>/api</c>: customers, transcripts, consent, erasure, session tokens, audited PII resolution, and a generic turn endpoint.</summary>
public static partial class AdminApi
{
    public const int MaxBodyBytes = 64 * 1024;

    [GeneratedRegex("^c-[0-9a-f]{20}$")]
    private static partial Regex CustomerIdPattern();

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        // The admin key is checked by the host's authorization (Silo/Security); each call names the scope it needs.
        var api = app.MapGroup("/api");
        api.MapGet("/customers/resolve", Resolve).RequireAuthorization(AdminScopes.Read);
        api.MapGet("/customers/{id}", GetCustomer).RequireAuthorization(AdminScopes.Read);
        api.MapGet("/customers/{id}/transcript", GetTranscript).RequireAuthorization(AdminScopes.Read);
        api.MapDelete("/customers/{id}", Erase).RequireAuthorization(AdminScopes.Erase);
        api.MapPost("/customers/{id}/consent", RecordConsent).RequireAuthorization(AdminScopes.Operate);
        api.MapGet("/customers/{id}/consent/{channel}/{purpose}", CanContact).RequireAuthorization(AdminScopes.Read);
        api.MapPost("/customers/{id}/session-tokens", IssueSessionToken).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/customers/{id}/pii/resolve", ResolvePii).RequireAuthorization(AdminScopes.PiiResolve);
        api.MapPost("/turns", PostTurn).RequireAuthorization(AdminScopes.Operate);
        return app;
    }

    private static async Task<IResult> Resolve(string? channel, string? address, string? tenant, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant(tenant);
        if (!AddressKindNames.TryParse(channel, out var kind))
            return Problems.BadRequest("unknown-channel", "channel must be one of whatsapp, phone, sms, rcs, voice, webchat, sip-call-id, crm.");
        try
        {
            var id = await ConversationIngress.For(grains, address).Resolve(t.Id, new ChannelAddress(kind, address ?? ""));
            return id is null
                ? Problems.NotFound("unknown-customer", "No customer has that address.")
                : Results.Ok(new ResolveResponse(id));
        }
        catch (InvalidAddressException e)
        {
            return Problems.BadRequest("invalid-address", e.Message);
        }
    }

    private static Task<IResult> GetCustomer(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains) =>
        WithCustomer(id, tenant, tenants, grains, async c => Results.Ok(Customer(await c.GetView())));

    private static Task<IResult> GetTranscript(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains) =>
        WithCustomer(id, tenant, tenants, grains, async c => Results.Ok(Transcript(await c.GetTranscript())));

    /// <summary>Erases the customer everywhere (see <see cref="CustomerErasure"/>) and answers with a receipt of what went.</summary>
    private static Task<IResult> Erase(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains,
        [FromServices] IEnumerable<IErasureParticipant> participants, ILoggerFactory logs, CancellationToken cancellationToken) =>
        WithCustomer(id, tenant, tenants, grains, async c =>
        {
            try
            {
                var receipt = await CustomerErasure.RunAsync(c, tenants.FindOrDefault(tenant)!.Id, id, participants,
                    logs.CreateLogger(typeof(CustomerErasure).FullName!), cancellationToken);
                return Results.Ok(receipt);
            }
            catch (ErasureIncompleteException e)
            {
                return Problems.Make(500, "erasure-incomplete", "The erasure is not complete.",
                    $"Removing the customer's {e.Part} failed, so the customer was not erased yet (some of it may already be gone). "
                    + "The log says why; repeat the request once that is fixed.");
            }
        });

    private static async Task<IResult> RecordConsent(string id, string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains, TimeProvider time)
    {
        var body = await BoundedBody.ReadJsonAsync<ConsentRequest>(request, MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        var r = body.Value!;
        if (!ChannelNames.TryParse(r.Channel, out var channel)) return Problems.BadRequest("unknown-channel", "channel must be one of whatsapp, webchat, sms, rcs, voice.");
        if (!ConsentNames.TryParsePurpose(r.Purpose, out var purpose)) return Problems.BadRequest("unknown-purpose", "purpose must be one of transactional, marketing, call-recording.");
        if (!ConsentNames.TryParseStatus(r.Status, out var status) || status == ConsentStatus.Unknown)
            return Problems.BadRequest("unknown-status", "status must be granted or revoked.");
        if (string.IsNullOrWhiteSpace(r.Source) || string.IsNullOrWhiteSpace(r.Evidence))
            return Problems.BadRequest("missing-evidence", "source and evidence are required: where the decision was made and what proves it.");
        return await WithCustomer(id, tenant, tenants, grains, async c =>
        {
            await c.RecordConsent(new ConsentChange(channel, purpose, status, r.Source, r.Evidence, time.GetUtcNow()));
            return Results.Ok(Decision(await c.CanContact(channel, purpose)));
        });
    }

    private static Task<IResult> CanContact(string id, string channel, string purpose, string? tenant, TenantDirectory tenants, IGrainFactory grains)
    {
        if (!ChannelNames.TryParse(channel, out var ch)) return Task.FromResult(Problems.BadRequest("unknown-channel", "Unknown channel."));
        if (!ConsentNames.TryParsePurpose(purpose, out var p)) return Task.FromResult(Problems.BadRequest("unknown-purpose", "Unknown purpose."));
        return WithCustomer(id, tenant, tenants, grains, async c => Results.Ok(Decision(await c.CanContact(ch, p))));
    }

    private static async Task<IResult> IssueSessionToken(string id, string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains, TimeProvider time)
    {
        var body = await BoundedBody.ReadJsonAsync<SessionTokenRequest>(request, MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        var minutes = body.Value!.LifetimeMinutes ?? 30;
        if (minutes is < 1 or > 24 * 60) return Problems.BadRequest("invalid-lifetime", "lifetimeMinutes is 1 to 1440.");
        var purpose = string.IsNullOrWhiteSpace(body.Value.Purpose) ? "join" : body.Value.Purpose;
        return await WithCustomer(id, tenant, tenants, grains, async c =>
        {
            var lifetime = TimeSpan.FromMinutes(minutes);
            var token = await c.IssueSessionToken(purpose, lifetime);
            return Results.Ok(new SessionTokenResponse(token, time.GetUtcNow().Add(lifetime)));
        });
    }

    private static async Task<IResult> ResolvePii(string id, string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains)
    {
        var body = await BoundedBody.ReadJsonAsync<PiiResolveRequest>(request, MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        var r = body.Value!;
        if (string.IsNullOrWhiteSpace(r.Token) || string.IsNullOrWhiteSpace(r.Purpose) || string.IsNullOrWhiteSpace(r.Actor))
            return Problems.BadRequest("missing-purpose", "token, purpose and actor are all required; every resolution is audited.");
        return await WithCustomer(id, tenant, tenants, grains, async c =>
        {
            var value = await c.ResolvePii(r.Token, r.Purpose, r.Actor);
            return value is null ? Problems.NotFound("unknown-token", "This customer's vault has no such token.") : Results.Ok(new { token = r.Token, value });
        });
    }

    private static async Task<IResult> PostTurn(string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains, TimeProvider time)
    {
        var body = await BoundedBody.ReadJsonAsync<TurnRequest>(request, MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        var r = body.Value!;
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant(tenant);
        if (!ChannelNames.TryParse(r.Channel, out var channel)) return Problems.BadRequest("unknown-channel", "channel must be one of whatsapp, webchat, sms, rcs, voice.");
        var kindName = r.AddressKind ?? (channel == Channel.WebChat ? "webchat" : channel == Channel.WhatsApp ? "whatsapp" : "phone");
        if (!AddressKindNames.TryParse(kindName, out var kind)) return Problems.BadRequest("unknown-address-kind", "Unknown addressKind.");
        if (string.IsNullOrWhiteSpace(r.MessageId)) return Problems.BadRequest("missing-message-id", "messageId is required; a retried turn with the same id is processed once.");
        if (r.Text is { Length: > Grains.Customers.CustomerGrain.MaxTextLength })
            return Problems.Make(413, "text-too-long", "The message is too long.", $"text is limited to {Grains.Customers.CustomerGrain.MaxTextLength} characters.");
        try
        {
            var result = await ConversationIngress.For(grains, r.Address).Receive(
                new InboundTurn(t.Id, channel, new ChannelAddress(kind, r.Address ?? ""), r.MessageId, r.Text, null, time.GetUtcNow()));
            return Results.Ok(new TurnResponse(result.CustomerId, result.Duplicate, result.TokenizedText, Reply(result.Reply)));
        }
        catch (InvalidAddressException e)
        {
            return Problems.BadRequest("invalid-address", e.Message);
        }
    }

    private static async Task<IResult> WithCustomer(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains, Func<ICustomerGrain, Task<IResult>> action)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant(tenant);
        if (!CustomerIdPattern().IsMatch(id)) return Problems.NotFound("unknown-customer", "Customer ids look like c- followed by 20 hex digits.");
        var grain = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(t.Id, id));
        try
        {
            if (!await grain.Exists()) return Problems.NotFound("unknown-customer", $"No customer '{id}' at tenant '{t.Id}'.");
            return await action(grain);
        }
        catch (UnknownCustomerException)
        {
            return Problems.NotFound("unknown-customer", $"No customer '{id}' at tenant '{t.Id}'.");
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest("invalid-request", e.Message);
        }
    }

    private static IResult UnknownTenant(string? tenant) => Problems.NotFound("unknown-tenant", $"No tenant '{tenant}'.");
}

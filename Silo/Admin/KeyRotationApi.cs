using System.Security.Claims;
using Switchboard.Grains.Interfaces.Pii;
using Switchboard.Silo.Security;
using Switchboard.Tenancy;

namespace Switchboard.Silo.Admin;

/// <summary>
/// After a master key rotation: <c>POST /api/customers/{id}/vault/rewrap</c> re-seals one customer's vault under the
/// active key; <c>POST /api/vault/rewrap</c> starts (or resumes) one pass over every customer and
/// <c>GET /api/vault/rewrap</c> reports its progress. Rewrapping needs the erase scope (it rewrites what erasure would
/// remove); progress is counts only, so read may see it. Once a pass is done the old key can be retired (docs/security.md).
/// </summary>
public static partial class AdminApi
{
    public static IEndpointRouteBuilder MapKeyRotation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/customers/{id}/vault/rewrap", Rewrap).RequireAuthorization(AdminScopes.Erase);
        app.MapPost("/api/vault/rewrap", RewrapAll).RequireAuthorization(AdminScopes.Erase);
        app.MapGet("/api/vault/rewrap", (IGrainFactory grains) => RewrapJob(grains).Progress()).RequireAuthorization(AdminScopes.Read);
        return app;
    }

    private static Task<IResult> Rewrap(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains) =>
        WithCustomer(id, tenant, tenants, grains, async c => Results.Ok(new { rewrapped = await c.RewrapVault(), addressesResealed = await c.ResealAddresses() }));

    private static async Task<IResult> RewrapAll(ClaimsPrincipal user, IGrainFactory grains) =>
        Results.Accepted("/api/vault/rewrap", await RewrapJob(grains).Start(user.Identity?.Name ?? "unknown"));

    private static IVaultRewrapGrain RewrapJob(IGrainFactory grains) => grains.GetGrain<IVaultRewrapGrain>(0);
}

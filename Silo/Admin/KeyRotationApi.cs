using Switchboard.Silo.Security;
using Switchboard.Tenancy;

namespace Switchboard.Silo.Admin;

/// <summary>
/// <c>POST /api/customers/{id}/vault/rewrap</c>: after a master key rotation, re-seals one customer's vault under the
/// active key (erase scope: it rewrites what erasure would remove). Once every customer was rewrapped the old key can
/// be retired (docs/security.md).
/// </summary>
public static partial class AdminApi
{
    public static IEndpointRouteBuilder MapKeyRotation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/customers/{id}/vault/rewrap", Rewrap).RequireAuthorization(AdminScopes.Erase);
        return app;
    }

    private static Task<IResult> Rewrap(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains) =>
        WithCustomer(id, tenant, tenants, grains, async c => Results.Ok(new { rewrapped = await c.RewrapVault() }));
}

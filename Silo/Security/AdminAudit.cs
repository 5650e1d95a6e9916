using System.Text.RegularExpressions;

namespace Switchboard.Silo.Security;

/// <summary>
/// One log line per admin call the keys let through: which key (by name), which call (method and route pattern),
/// which customer and tenant, and the answer's status. Never a body, a query string or a value from the path that
/// is not a well-formed id, so no address, text or PII value reaches the audit log. The dashboard's polling is left out.
/// </summary>
public static partial class AdminAudit
{
    public const string Category = "Switchboard.Audit";

    [GeneratedRegex("^c-[0-9a-f]{20}$")]
    private static partial Regex CustomerId();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TenantId();

    public static IApplicationBuilder UseAdminAudit(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            var audited = context.User.Identity is { IsAuthenticated: true, AuthenticationType: AdminKeyAuthenticationHandler.SchemeName }
                && !context.Request.Path.StartsWithSegments(AdminKeyAuthenticationHandler.DashboardPath)
                && context.GetEndpoint() is RouteEndpoint;
            if (!audited)
            {
                await next(context);
                return;
            }
            var failed = true;
            try
            {
                await next(context);
                failed = false;
            }
            finally
            {
                var route = ((RouteEndpoint)context.GetEndpoint()!).RoutePattern.RawText;
                var id = context.Request.RouteValues["id"] ?? context.Request.RouteValues["customerId"];
                var tenant = context.Request.Query["tenant"].ToString();
                logger.LogInformation("Admin {Method} {Route} by key {Key}: {Status} (customer {CustomerId}, tenant {Tenant})",
                    context.Request.Method, route, context.User.Identity!.Name, failed ? 500 : context.Response.StatusCode,
                    id is string s ? (CustomerId().IsMatch(s) ? s : "not-an-id") : "-",
                    tenant.Length == 0 ? "default" : TenantId().IsMatch(tenant) ? tenant : "not-an-id");
            }
        });
    }
}

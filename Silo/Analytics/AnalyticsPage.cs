using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Switchboard.Analytics.Metrics;
using Switchboard.Tenancy;
using static System.Net.WebUtility;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// <c>/analytics</c>: one server-rendered page (HTML and SVG, no script) behind the session login: the tenant selector
/// and date range form (plain GET, so a view is a link), the headline figures, the escalation funnel, containment per
/// channel, the switch matrix heat map, journey funnels, the time series, ROI; each chart with its CSV export.
/// </summary>
public static class AnalyticsPage
{
    public static IEndpointRouteBuilder MapAnalyticsPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(AnalyticsSession.LoginPath, (HttpContext http) => Html(LoginForm(null), 200));
        app.MapPost(AnalyticsSession.LoginPath, async (HttpContext http) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
            var problem = await AnalyticsSession.SignInAsync(http, form?["key"].ToString());
            return problem is null ? Results.Redirect("/analytics", permanent: false) : Html(LoginForm(problem), 401);
        });
        // A GET so the page needs no script and every page call needs the same scope (read); the cookie is SameSite=Strict.
        app.MapGet("/analytics/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(AnalyticsSession.Scheme);
            return Results.Redirect(AnalyticsSession.LoginPath);
        }).RequireAuthorization(AnalyticsSession.Policy);
        app.MapGet("/analytics", (HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
        {
            var tenant = q.Query["tenant"].ToString();
            if (tenants.FindOrDefault(tenant.Length == 0 ? null : tenant) is not { } t)
                return Html(Shell("Analytics", $"<p class=\"error\" id=\"error\">No tenant '{HtmlEncode(tenant)}'.</p>" + BackLink()), 404);
            var range = MetricRange.Parse(t.Id, q.Query["from"], q.Query["to"], q.Query["bucket"], time.GetUtcNow(), out var problem);
            if (range is null) return Html(Shell("Analytics", $"<p class=\"error\" id=\"error\">{HtmlEncode(problem!)}</p>" + BackLink()), 400);
            return Html(Dashboard(range, store.Queries.Report(range), store.Queries.Series(range), tenants), 200);
        }).RequireAuthorization(AnalyticsSession.Policy);
        app.MapGet("/analytics/export/{chart}.csv", (string chart, HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
            AnalyticsApi.Export(chart, q, store, tenants, time)).RequireAuthorization(AnalyticsSession.Policy);
        return app;
    }

    private static IResult Html(string body, int status) => new HtmlResult(body, status);

    private static string BackLink() => "<p><a href=\"/analytics\">Back to the default view</a></p>";

    private static string LoginForm(string? problem) => Shell("Analytics login", $"""
        <h1>Switchboard analytics</h1>
        {(problem is null ? "" : $"<p class=\"error\" id=\"error\">{HtmlEncode(problem)}</p>")}
        <form method="post" action="{AnalyticsSession.LoginPath}">
          <label>Admin key <input type="password" name="key" id="key" autocomplete="current-password" required></label>
          <button type="submit" id="login">Log in</button>
        </form>
        <p>The key stays in this browser's session cookie, never in a link.</p>
        """);

    private static string Dashboard(MetricRange r, Report report, IReadOnlyList<SeriesPoint> series, TenantDirectory tenants)
    {
        var inv = CultureInfo.InvariantCulture;
        var from = r.From.UtcDateTime.ToString("yyyy-MM-dd", inv);
        var to = r.To.UtcDateTime.AddTicks(-1).ToString("yyyy-MM-dd", inv);
        var query = $"tenant={Uri.EscapeDataString(r.Tenant)}&from={from}&to={to}&bucket={r.Bucket.ToString().ToLowerInvariant()}";
        string Export(string chart) => $"<a class=\"export\" id=\"export-{chart}\" href=\"/analytics/export/{chart}.csv?{HtmlEncode(query)}\">Export CSV</a>";
        var o = report.Overview;
        var e = report.Escalation;
        var sb = new StringBuilder();
        sb.Append("<h1>Switchboard analytics</h1><form method=\"get\" action=\"/analytics\" id=\"range\"><label>Tenant <select name=\"tenant\" id=\"tenant\">");
        foreach (var t in tenants.All.OrderBy(t => t.Id))
            sb.Append($"<option value=\"{HtmlEncode(t.Id)}\"{(t.Id == r.Tenant ? " selected" : "")}>{HtmlEncode(t.DisplayName ?? t.Id)}</option>");
        sb.Append($"</select></label> <label>From <input type=\"date\" name=\"from\" id=\"from\" value=\"{from}\"></label> ");
        sb.Append($"<label>To <input type=\"date\" name=\"to\" id=\"to\" value=\"{to}\"></label> <label>By <select name=\"bucket\" id=\"bucket\">");
        sb.Append($"<option value=\"day\"{(r.Bucket == Bucket.Day ? " selected" : "")}>day</option><option value=\"hour\"{(r.Bucket == Bucket.Hour ? " selected" : "")}>hour</option></select></label> ");
        sb.Append("<button type=\"submit\" id=\"apply\">Show</button></form>");
        sb.Append("<p><a href=\"/analytics/logout\" id=\"logout\">Log out</a></p>");
        if (report.Approximate)
            sb.Append("<p id=\"approximate\">Many events in this range: customer counts are estimates (±2.4 %), the escalation funnel may be sampled; event counts are exact.</p>");
        sb.Append($"<section><h2>Overview {Export("overview")}</h2><dl class=\"tiles\">");
        Tile(sb, "conversations", "Conversations", o.Conversations.ToString(inv));
        Tile(sb, "containment", "Containment", AnalyticsCharts.Percent(o.Containment));
        Tile(sb, "zero-knowledge", "Zero-knowledge transfers", AnalyticsCharts.Percent(o.ZeroKnowledgeTransferRate));
        Tile(sb, "drop-off", "Escalation drop-off", AnalyticsCharts.Percent(e.DropOff));
        Tile(sb, "handling-turns", "Average handling turns", o.AverageHandlingTurns?.ToString("0.00", inv) ?? "–");
        Tile(sb, "roi", "ROI vs all-human", report.Roi.Ratio is { } roi ? roi.ToString("0.00", inv) + "×" : "–");
        sb.Append("</dl></section>");
        sb.Append($"<section><h2>Escalation funnel {Export("escalation")}</h2>");
        sb.Append(AnalyticsCharts.Bars("funnel", [("offered a call", e.Offered, e.Offered.ToString(inv)), ("call started", e.CallStarted, e.CallStarted.ToString(inv)),
            ("flow completed", e.FlowCompleted, e.FlowCompleted.ToString(inv))]));
        sb.Append("</section>");
        sb.Append($"<section><h2>Containment per channel {Export("channels")}</h2>");
        sb.Append(AnalyticsCharts.Bars("containment-per-channel", [.. report.Channels.Select(c => (c.Channel, c.Containment ?? 0, AnalyticsCharts.Percent(c.Containment) + $" of {c.Conversations}"))], "#2f855a"));
        sb.Append("</section>");
        sb.Append($"<section><h2>Channel switches (from → to) {Export("switches")}</h2>{AnalyticsCharts.HeatMap("switch-matrix", report.Switches)}</section>");
        sb.Append($"<section><h2>Journeys {Export("journeys")}</h2>");
        if (report.Journeys.Count == 0) sb.Append("<p>No journey events in this range.</p>");
        foreach (var j in report.Journeys)
        {
            sb.Append($"<h3>{HtmlEncode(j.Journey)}: <span data-journey-goal=\"{HtmlEncode(j.Journey)}\">{j.ReachedGoal}</span> of {j.Enrolled} reached the goal; time to goal p50 {Duration(j.TimeToGoalP50Ms)}, p90 {Duration(j.TimeToGoalP90Ms)}</h3>");
            sb.Append(AnalyticsCharts.Bars("journey-" + j.Journey, [.. j.Steps.Select(s => (s.Step, (double)s.Customers, s.Customers.ToString(inv))), ("goal", j.ReachedGoal, j.ReachedGoal.ToString(inv))], "#6b46c1"));
        }
        sb.Append("</section>");
        sb.Append($"<section><h2>Over time (by {r.Bucket.ToString().ToLowerInvariant()}): conversations, containment {Export("series")}</h2>{AnalyticsCharts.Series("series", series, r.Bucket)}</section>");
        sb.Append($"<section><h2>Flows {Export("flows")}</h2><table id=\"flows\"><tr><th>flow</th><th>conversations</th><th>turns</th><th>completed</th><th>avg turns</th></tr>");
        foreach (var f in report.Flows)
            sb.Append($"<tr><td>{HtmlEncode(f.Flow)}</td><td>{f.Conversations}</td><td>{f.Turns}</td><td>{f.Completed}</td><td>{f.AverageHandlingTurns?.ToString("0.00", inv)}</td></tr>");
        sb.Append("</table></section>");
        var roiFig = report.Roi;
        sb.Append($"<section><h2>Cost and ROI ({HtmlEncode(roiFig.Currency)}) {Export("roi")}</h2><table id=\"roi-table\">");
        sb.Append($"<tr><td>messages</td><td>{roiFig.Messages}</td><td>{roiFig.MessageCost.ToString(inv)}</td></tr>");
        sb.Append($"<tr><td>voice minutes</td><td>{roiFig.VoiceMinutes.ToString(inv)}</td><td>{roiFig.VoiceCost.ToString(inv)}</td></tr>");
        sb.Append($"<tr><td>agent minutes</td><td>{roiFig.AgentMinutes.ToString(inv)}</td><td>{roiFig.AgentCost.ToString(inv)}</td></tr>");
        sb.Append($"<tr><td>automated total</td><td></td><td id=\"automated-cost\">{roiFig.AutomatedCost.ToString(inv)}</td></tr>");
        sb.Append($"<tr><td>all-human baseline</td><td></td><td id=\"baseline-cost\">{roiFig.AllHumanBaseline.ToString(inv)}</td></tr></table></section>");
        return Shell($"Analytics: {r.Tenant}", sb.ToString());
    }

    private static void Tile(StringBuilder sb, string id, string label, string value) =>
        sb.Append($"<div><dt>{HtmlEncode(label)}</dt><dd id=\"metric-{id}\">{HtmlEncode(value)}</dd></div>");

    private static string Duration(double? ms) => ms is not { } v ? "–"
        : v >= 3_600_000 ? (v / 3_600_000).ToString("0.0", CultureInfo.InvariantCulture) + " h"
        : v >= 60_000 ? (v / 60_000).ToString("0.0", CultureInfo.InvariantCulture) + " min"
        : (v / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Shell(string title, string body) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{HtmlEncode(title)}</title>
        <style>body{"{"}font-family:sans-serif;margin:1.5rem;max-width:70rem{"}"} section{"{"}margin:1.5rem 0{"}"} .tiles{"{"}display:flex;gap:1rem;flex-wrap:wrap{"}"}
        .tiles div{"{"}border:1px solid #ccc;padding:.6rem 1rem;border-radius:6px{"}"} dd{"{"}font-size:1.6rem;margin:0{"}"} .export{"{"}font-size:.8rem;margin-left:1rem{"}"}
        .error{"{"}color:#c53030{"}"} table{"{"}border-collapse:collapse{"}"} td,th{"{"}border:1px solid #ddd;padding:.2rem .6rem{"}"}</style></head>
        <body>{body}</body></html>
        """;

    private sealed class HtmlResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            // No script at all; forms post only here; nothing loads from elsewhere.
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";
            return http.Response.WriteAsync(html);
        }
    }
}

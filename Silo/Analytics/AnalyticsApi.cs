using Switchboard.Analytics.Events;
using Switchboard.Analytics.Metrics;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Silo.Security;
using Switchboard.Tenancy;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// <c>GET /api/analytics/report</c>, <c>/series</c>, <c>/export/{chart}.csv</c> (key with <c>read</c>) and
/// <c>POST /api/analytics/events</c> (key with <c>operate</c>: events from systems outside the engine, checked like
/// the engine's own). Query: <c>tenant</c> (default tenant when absent), <c>from</c>, <c>to</c>, <c>bucket</c>.
/// </summary>
public static class AnalyticsApi
{
    public const int MaxEventsPerPost = 1000;

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics");
        api.MapGet("/report", (HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
            WithRange(q, tenants, time, r => Results.Ok(store.Queries.Report(r)))).RequireAuthorization(AdminScopes.Read);
        api.MapGet("/series", (HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
            WithRange(q, tenants, time, r => Results.Ok(new { tenant = r.Tenant, from = r.From, to = r.To, bucket = r.Bucket.ToString().ToLowerInvariant(), points = store.Queries.Series(r) })))
            .RequireAuthorization(AdminScopes.Read);
        api.MapGet("/export/{chart}.csv", (string chart, HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
            Export(chart, q, store, tenants, time)).RequireAuthorization(AdminScopes.Read);
        api.MapGet("/tenants", (TenantDirectory tenants) =>
            Results.Ok(tenants.All.Select(t => new { id = t.Id, name = t.DisplayName, isDefault = t.Id == tenants.Default.Id })))
            .RequireAuthorization(AdminScopes.Read);
        app.MapAnalyticsEvents();
        return app;
    }

    /// <summary>Only the event intake: what a gateway serves (its events travel the stream to the silos' store).</summary>
    public static IEndpointRouteBuilder MapAnalyticsEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/analytics/events", PostEvents).RequireAuthorization(AdminScopes.Operate);
        return app;
    }

    internal static IResult Export(string chart, HttpRequest q, AnalyticsStore store, TenantDirectory tenants, TimeProvider time) =>
        WithRange(q, tenants, time, r =>
        {
            if (!AnalyticsCsv.Charts.Contains(chart))
                return Problems.NotFound("unknown-chart", $"No chart '{Safe(chart)}'; charts: {string.Join(", ", AnalyticsCsv.Charts)}.");
            var csv = AnalyticsCsv.Render(chart, store.Queries.Report(r), chart == "series" ? store.Queries.Series(r) : [])!;
            return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8",
                $"{r.Tenant}-{chart}-{r.From:yyyyMMdd}-{r.To:yyyyMMdd}.csv");
        });

    /// <summary>Resolves tenant and range from the query, or answers 404 unknown-tenant / 400 invalid-date-range.</summary>
    internal static IResult WithRange(HttpRequest q, TenantDirectory tenants, TimeProvider time, Func<MetricRange, IResult> then)
    {
        var tenant = q.Query["tenant"].ToString();
        if (tenants.FindOrDefault(tenant.Length == 0 ? null : tenant) is not { } t)
            return Problems.NotFound("unknown-tenant", $"No tenant '{Safe(tenant)}'.");
        var range = MetricRange.Parse(t.Id, q.Query["from"], q.Query["to"], q.Query["bucket"], time.GetUtcNow(), out var problem);
        return range is null ? Problems.BadRequest("invalid-date-range", problem!) : then(range);
    }

    private static async Task<IResult> PostEvents(HttpRequest request, IInteractionEvents events, TenantDirectory tenants)
    {
        var body = await BoundedBody.ReadJsonAsync<EventsBody>(request, 1024 * 1024);
        if (!body.Ok) return body.Problem!;
        var list = body.Value!.Events ?? [];
        if (list.Count is 0 or > MaxEventsPerPost) return Problems.BadRequest("invalid-event", $"Send 1 to {MaxEventsPerPost} events.");
        var parsed = new List<InteractionEvent>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var (e, problem) = list[i].ToEvent();
            problem ??= EventCheck.Problem(e);
            if (problem is null && tenants.Find(e!.Tenant) is null) problem = "tenant";
            // Nothing of a refused batch is kept: the whole post is checked before any event is published.
            if (problem is not null) return Problems.BadRequest("invalid-event", $"events[{i}]: the {problem} is missing or not allowed (ids and names only, never text or addresses).");
            parsed.Add(e!);
        }
        foreach (var e in parsed) events.Publish(e);
        return Results.Accepted(value: new { accepted = parsed.Count });
    }

    private static string Safe(string value) => value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? value : "(not an id)";

    public sealed record EventsBody(List<EventBody>? Events);

    /// <summary>An event on the wire: kinds and channels by their wire names.</summary>
    public sealed record EventBody(string? Id, string? Kind, string? Tenant, string? CustomerId, string? Channel, DateTimeOffset? At,
        string? Intent, string? Flow, string? Step, string? Outcome, string? FromChannel, string? Journey, double? DurationMs, bool? ZeroRepeat)
    {
        public (InteractionEvent? Event, string? Problem) ToEvent()
        {
            if (!KindNames.TryParse(Kind, out var kind)) return (null, "kind");
            if (!ChannelNames.TryParse(Channel, out var channel)) return (null, "channel");
            Channel? from = null;
            if (FromChannel is not null)
            {
                if (!ChannelNames.TryParse(FromChannel, out var f)) return (null, "fromChannel");
                from = f;
            }
            if (At is null) return (null, "at");
            return (new InteractionEvent(Id ?? "", kind, Tenant ?? "", CustomerId ?? "", channel, At.Value, Intent, Flow, Step, Outcome, from, Journey, DurationMs, ZeroRepeat), null);
        }
    }
}

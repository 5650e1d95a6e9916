using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Channels.Common;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journeys;
using Switchboard.Silo.Security;
using Switchboard.Tenancy;

namespace Switchboard.Silo.Admin;

/// <summary>
/// Journeys under <c>/api/journeys</c>: define (YAML), list, pause, resume, stop, enrol by JSON or by a streamed CSV
/// upload (bad rows reported with their line, good rows enrolled, idempotent per run), one enrolment's timeline, and
/// per-step counts. Reads need <c>read</c>, changes <c>operate</c>.
/// </summary>
public static class JourneyApi
{
    public const int MaxYamlBytes = 64 * 1024;
    public const int MaxJsonMembers = 1000;
    public const long MaxCsvBytes = 1L << 30;
    /// <summary>Rows per grain call, batches in flight and audience keys: at most BatchSize × BatchesInFlight rows in memory.</summary>
    private const int BatchSize = 1024;
    private const int BatchesInFlight = 8;
    private const int AudienceKeys = 8;
    private const int MaxReportedBadRows = 1000;

    public static IEndpointRouteBuilder MapJourneyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/journeys");
        api.MapGet("", List).RequireAuthorization(AdminScopes.Read);
        api.MapGet("/{id}", Get).RequireAuthorization(AdminScopes.Read);
        api.MapPut("/{id}", Define).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/{id}/pause", (string id, string? tenant, TenantDirectory t, IGrainFactory g) => SetStatus(id, tenant, t, g, JourneyRunStatus.Paused)).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/{id}/resume", (string id, string? tenant, TenantDirectory t, IGrainFactory g) => SetStatus(id, tenant, t, g, JourneyRunStatus.Running)).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/{id}/stop", (string id, string? tenant, TenantDirectory t, IGrainFactory g) => SetStatus(id, tenant, t, g, JourneyRunStatus.Stopped)).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/{id}/enrolments", EnrolJson).RequireAuthorization(AdminScopes.Operate);
        api.MapPost("/{id}/enrolments/csv", EnrolCsv).RequireAuthorization(AdminScopes.Operate);
        api.MapGet("/{id}/enrolments/{customerId}", Timeline).RequireAuthorization(AdminScopes.Read);
        return app;
    }

    public sealed record EnrolRequest(List<EnrolMember>? Customers);

    public sealed record EnrolMember(string? CustomerId, string? Phone, string? TimeZone, Dictionary<string, string>? Attributes);

    public sealed record BadRow(long Line, string Reason);

    private static async Task<IResult> List(string? tenant, TenantDirectory tenants, JourneyDirectory directory, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        var ids = directory.ShippedJourneys(t.Id).Union(await grains.GetGrain<IJourneyIndexGrain>(t.Id).List()).Order(StringComparer.Ordinal);
        var infos = await Task.WhenAll(ids.Select(id => grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(t.Id, id)).Get()));
        return Results.Ok(new { tenant = t.Id, journeys = infos.Select(View) });
    }

    private static async Task<IResult> Get(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        var info = await grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(t.Id, id)).Get();
        return info.Defined ? Results.Ok(View(info)) : UnknownJourney();
    }

    private static async Task<IResult> Define(string id, string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        if (!ValidId(id)) return Problems.BadRequest("invalid-journey-id", "A journey id is 1 to 64 of a-z, 0-9, '-' and '_'.");
        var body = await BoundedBody.ReadBytesAsync(request, MaxYamlBytes);
        if (!body.Ok) return body.Problem!;
        var result = await grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(t.Id, id)).Define(Encoding.UTF8.GetString(body.Value!));
        if (!result.Ok)
            return Results.Problem(statusCode: 400, type: "https://switchboard.dev/problems/invalid-journey", title: "The journey is not valid.",
                detail: string.Join("; ", result.Errors), extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
        await grains.GetGrain<IJourneyIndexGrain>(t.Id).Add(id);
        return Results.Ok(View(result.Journey!));
    }

    private static async Task<IResult> SetStatus(string id, string? tenant, TenantDirectory tenants, IGrainFactory grains, JourneyRunStatus status)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        var journey = grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(t.Id, id));
        if (!(await journey.Get()).Defined) return UnknownJourney();
        return Results.Ok(View(await journey.SetStatus(status)));
    }

    private static async Task<IResult> EnrolJson(string id, string? tenant, HttpRequest request, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        var body = await BoundedBody.ReadJsonAsync<EnrolRequest>(request, AdminApi.MaxBodyBytes);
        if (!body.Ok) return body.Problem!;
        if (body.Value!.Customers is not { Count: > 0 and <= MaxJsonMembers } members)
            return Problems.BadRequest("no-customers", $"Send 1 to {MaxJsonMembers} customers; use the CSV upload for more.");
        if (await RunningRun(grains, t.Id, id) is not { } run) return await NotRunning(grains, t.Id, id);
        var results = await grains.GetGrain<IJourneyAudienceGrain>(0).AdmitMany([.. members.Select(m => new AudienceMember(t.Id, id, run, m.Phone, m.CustomerId,
            m.Attributes ?? [], m.TimeZone))]);
        return Results.Ok(new
        {
            enrolled = results.Count(r => r.Outcome == EnrolOutcome.Enrolled),
            alreadyEnrolled = results.Count(r => r.Outcome == EnrolOutcome.AlreadyEnrolled),
            results = results.Select((r, i) => new { index = i, customerId = r.CustomerId, outcome = r.Outcome is { } o ? Wire(o) : "refused", error = r.Error }),
        });
    }

    /// <summary>
    /// Streams the CSV (header row: <c>phone</c> or <c>customerId</c>, optional <c>timeZone</c>, any other columns are
    /// attributes) in batches of rows, a bounded number of batches in flight, so a million rows never sit in memory.
    /// </summary>
    private static async Task<IResult> EnrolCsv(string id, string? tenant, HttpContext context, TenantDirectory tenants, IGrainFactory grains, CancellationToken ct)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        if (!(context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) ?? false))
            return Problems.UnsupportedMediaType("Send the audience as text/csv.");
        if (await RunningRun(grains, t.Id, id) is not { } run) return await NotRunning(grains, t.Id, id);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxCsvBytes;

        var bad = new List<BadRow>();
        long badCount = 0, enrolled = 0, already = 0, rows = 0, line = 1;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        if (await reader.ReadLineAsync(ct) is not { } headerLine || CsvLine.Split(headerLine, out _) is not { } columns)
            return Problems.BadRequest("empty-csv", "The CSV has no header row.");
        var phoneColumn = columns.FindIndex(c => c.Equals("phone", StringComparison.OrdinalIgnoreCase));
        var idColumn = columns.FindIndex(c => c.Equals("customerId", StringComparison.OrdinalIgnoreCase));
        var zoneColumn = columns.FindIndex(c => c.Equals("timeZone", StringComparison.OrdinalIgnoreCase));
        if (phoneColumn < 0 && idColumn < 0) return Problems.BadRequest("csv-columns", "The header needs a 'phone' or a 'customerId' column.");

        var inFlight = new List<(long[] Lines, Task<IReadOnlyList<AdmitResult>> Admit)>(BatchesInFlight);
        var lines = new List<long>(BatchSize);
        var members = new List<AudienceMember>(BatchSize);
        var batches = 0;
        void Bad(long at, string reason)
        {
            badCount++;
            if (bad.Count < MaxReportedBadRows) bad.Add(new BadRow(at, reason));
        }
        async Task Drain(int keep)
        {
            while (inFlight.Count > keep)
            {
                var done = await Task.WhenAny(inFlight.Select(f => f.Admit));
                var index = inFlight.FindIndex(f => f.Admit == done);
                var (at, admit) = inFlight[index];
                inFlight.RemoveAt(index);
                var results = await admit;
                for (var i = 0; i < results.Count; i++)
                {
                    var r = results[i];
                    if (r.Outcome == EnrolOutcome.Enrolled) enrolled++;
                    else if (r.Outcome == EnrolOutcome.AlreadyEnrolled) already++;
                    else Bad(at[i], r.Error ?? "the journey is not running");
                }
            }
        }
        void Flush()
        {
            if (members.Count == 0) return;
            // Batches go to several audience keys (each a pool of stateless workers), one grain call per batch.
            var audience = grains.GetGrain<IJourneyAudienceGrain>(batches++ % AudienceKeys);
            inFlight.Add(([.. lines], audience.AdmitRows([.. members])));
            lines.Clear();
            members.Clear();
        }

        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            rows++;
            if (CsvLine.Split(text, out var error) is not { } record) { Bad(line, error!); continue; }
            if (record.Count != columns.Count) { Bad(line, $"{record.Count} fields, the header has {columns.Count}"); continue; }
            var phone = phoneColumn >= 0 ? Blank(record[phoneColumn]) : null;
            var customerId = idColumn >= 0 ? Blank(record[idColumn]) : null;
            if (phone is null && customerId is null) { Bad(line, "no phone and no customerId"); continue; }
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Count; i++)
                if (i != phoneColumn && i != idColumn && i != zoneColumn && Blank(record[i]) is { } v) attributes[columns[i]] = v;
            var zone = zoneColumn >= 0 ? Blank(record[zoneColumn]) : null;
            lines.Add(line);
            members.Add(new AudienceMember(t.Id, id, run, phone, customerId, attributes, zone));
            if (members.Count < BatchSize) continue;
            Flush();
            if (inFlight.Count >= BatchesInFlight) await Drain(BatchesInFlight / 2);
        }
        Flush();
        await Drain(0);
        bad.Sort((a, b) => a.Line.CompareTo(b.Line));
        return Results.Ok(new { rows, enrolled, alreadyEnrolled = already, badRows = badCount, bad });
    }

    private static async Task<IResult> Timeline(string id, string customerId, string? tenant, TenantDirectory tenants, IGrainFactory grains)
    {
        if (tenants.FindOrDefault(tenant) is not { } t) return UnknownTenant();
        var json = await grains.GetGrain<IJourneyEnrolmentGrain>(JourneyKeys.Enrolment(t.Id, id, customerId)).TimelineJson();
        return json is null ? Problems.NotFound("unknown-enrolment", "That customer is not enrolled in that journey.") : Results.Content(json, "application/json");
    }

    private static async Task<string?> RunningRun(IGrainFactory grains, string tenant, string id) =>
        await grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(tenant, id)).Definition() is { Status: JourneyRunStatus.Running } d ? d.Run : null;

    private static async Task<IResult> NotRunning(IGrainFactory grains, string tenant, string id) =>
        await grains.GetGrain<IJourneyGrain>(JourneyKeys.Journey(tenant, id)).Definition() is null
            ? UnknownJourney()
            : Problems.Conflict("journey-not-running", "The journey is paused or stopped: resume it to enrol.");

    private static object View(JourneyInfo i) => new
    {
        tenant = i.Tenant, journey = i.Journey, name = i.Name, status = i.Status.ToString().ToLowerInvariant(), run = i.Run, source = i.Source,
        steps = i.Steps.Select(s => new { id = s, counts = i.StepCounts.TryGetValue(s, out var c) ? c : new Dictionary<string, long>() }),
    };

    private static string Wire(EnrolOutcome o) => o switch
    {
        EnrolOutcome.Enrolled => "enrolled",
        EnrolOutcome.AlreadyEnrolled => "already-enrolled",
        _ => "journey-not-running",
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static bool ValidId(string id) => id.Length is > 0 and <= 64 && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    private static IResult UnknownTenant() => Problems.NotFound("unknown-tenant", "No tenant has that id.");

    private static IResult UnknownJourney() => Problems.NotFound("unknown-journey", "No journey has that id.");
}

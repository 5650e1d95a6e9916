using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Channels.Tests;

/// <summary>
/// A local HTTP server playing Meta's Graph API: records every <c>POST /{version}/{phone-number-id}/messages</c>, checks it
/// against the Cloud API schema and limits, and answers like Meta (a wamid) or with the failures a test asks for.
/// </summary>
public sealed class GraphStandIn : IAsyncDisposable
{
    public sealed record Captured(string Path, string? Authorization, JsonObject Body, IReadOnlyList<string> Violations, int Status);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Captured> _requests = new();
    private readonly ConcurrentQueue<int> _failures = new();
    private readonly ConcurrentQueue<string> _ids = new();
    private int _counter;

    public string BaseUrl { get; private set; } = "";
    public IReadOnlyCollection<Captured> Requests => _requests;
    public IEnumerable<Captured> Accepted => _requests.Where(r => r.Status == 200);

    private GraphStandIn(WebApplication app) => _app = app;

    public static async Task<GraphStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new GraphStandIn(app);
        app.MapPost("/{version}/{numberId}/messages", (Delegate)standIn.Handle);
        await app.StartAsync();
        standIn.BaseUrl = app.Urls.First().TrimEnd('/');
        return standIn;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/>.</summary>
    public void FailNext(int count, int status = 500)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue(status);
    }

    /// <summary>Every request answers 503 until <see cref="Heal"/>: the provider is down.</summary>
    public void Down() => _down = true;

    public void Heal()
    {
        _down = false;
        _failures.Clear();
    }

    private volatile bool _down;

    /// <summary>The next accepted message gets this wamid.</summary>
    public void NextIds(params string[] ids)
    {
        foreach (var id in ids) _ids.Enqueue(id);
    }

    public IEnumerable<Captured> To(string recipient) => Accepted.Where(r => r.Body["to"]?.GetValue<string>() == recipient);

    private async Task<IResult> Handle(HttpContext context, string version, string numberId)
    {
        var target = this;
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync();
        JsonObject body;
        try { body = JsonNode.Parse(text)!.AsObject(); }
        catch (Exception) { body = new JsonObject { ["unparseable"] = text }; }
        var violations = CloudApiSchema.Check(body).ToList();
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)) violations.Add("no bearer token");
        if (!version.StartsWith('v')) violations.Add("version segment " + version);
        var status = target._down ? 503 : target._failures.TryDequeue(out var fail) ? fail : 200;
        target._requests.Enqueue(new Captured(context.Request.Path, context.Request.Headers.Authorization, body, violations, status));
        if (status != 200)
            return Results.Json(new { error = new { message = "(#131000) Something went wrong", type = "OAuthException", code = 131000 } }, statusCode: status);
        var id = target._ids.TryDequeue(out var next) ? next : $"wamid.out.{Interlocked.Increment(ref target._counter)}";
        return Results.Json(new
        {
            messaging_product = "whatsapp",
            contacts = new[] { new { input = body["to"]?.ToString(), wa_id = body["to"]?.ToString() } },
            messages = new[] { new { id } },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The Cloud API's rules for a send request, as Meta documents them.</summary>
public static class CloudApiSchema
{
    public static IEnumerable<string> Check(JsonObject b)
    {
        if (b["messaging_product"]?.ToString() != "whatsapp") yield return "messaging_product must be whatsapp";
        if (b["recipient_type"]?.ToString() is { } rt && rt != "individual") yield return "recipient_type";
        var to = b["to"]?.ToString() ?? "";
        if (to.Length is < 7 or > 15 || !to.All(char.IsAsciiDigit)) yield return "to must be digits";
        switch (b["type"]?.ToString())
        {
            case "text":
                var body = b["text"]?["body"]?.ToString() ?? "";
                if (body.Length is 0 or > 4096) yield return $"text body length {body.Length}";
                break;
            case "template":
                if (string.IsNullOrEmpty(b["template"]?["name"]?.ToString())) yield return "template.name";
                if (string.IsNullOrEmpty(b["template"]?["language"]?["code"]?.ToString())) yield return "template.language.code";
                break;
            case "interactive":
                var i = b["interactive"]!;
                var ibody = i["body"]?["text"]?.ToString() ?? "";
                if (ibody.Length is 0 or > 1024) yield return $"interactive body length {ibody.Length}";
                switch (i["type"]?.ToString())
                {
                    case "button":
                        var buttons = i["action"]?["buttons"]?.AsArray() ?? [];
                        if (buttons.Count is 0 or > 3) yield return $"{buttons.Count} buttons";
                        var titles = buttons.Select(x => x!["reply"]?["title"]?.ToString() ?? "").ToList();
                        if (titles.Any(t => t.Length is 0 or > 20)) yield return "button title length";
                        if (titles.Distinct().Count() != titles.Count) yield return "button titles not unique";
                        if (buttons.Any(x => x!["type"]?.ToString() != "reply")) yield return "button type";
                        if (buttons.Any(x => (x!["reply"]?["id"]?.ToString() ?? "").Length is 0 or > 256)) yield return "button id length";
                        break;
                    case "list":
                        var button = i["action"]?["button"]?.ToString() ?? "";
                        if (button.Length is 0 or > 20) yield return "list button label";
                        var rows = (i["action"]?["sections"]?.AsArray() ?? []).SelectMany(s => s!["rows"]?.AsArray() ?? []).ToList();
                        if (rows.Count is 0 or > 10) yield return $"{rows.Count} rows";
                        if (rows.Any(r => (r!["title"]?.ToString() ?? "").Length is 0 or > 24)) yield return "row title length";
                        if (rows.Any(r => (r!["description"]?.ToString() ?? "").Length > 72)) yield return "row description length";
                        if (rows.Any(r => (r!["id"]?.ToString() ?? "").Length is 0 or > 200)) yield return "row id length";
                        break;
                    case "cta_url":
                        var p = i["action"]?["parameters"];
                        if (i["action"]?["name"]?.ToString() != "cta_url") yield return "cta_url action name";
                        if (string.IsNullOrEmpty(p?["url"]?.ToString())) yield return "cta_url url";
                        if ((p?["display_text"]?.ToString() ?? "").Length is 0 or > 20) yield return "cta_url display_text";
                        break;
                    default:
                        yield return "interactive type " + i["type"];
                        break;
                }
                break;
            default:
                yield return "type " + b["type"];
                break;
        }
    }
}

using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Silo.Security;

/// <summary>
/// An operators' listener apart from the public one (<c>Admin:Urls</c>, e.g. <c>http://10.0.0.5:9090</c>). Unset, every
/// endpoint answers on the one port as before. Set, the engine listens on both; the public addresses (<c>urls</c>) then
/// serve only what the internet must reach (<see cref="PublicEndpoints.ServesInternet"/>: the providers' webhooks and the
/// web chat), and the admin addresses only the rest (the API, the dashboard, analytics, metrics); <c>/healthz</c> answers on
/// both. The wrong side answers 404, as if nothing were there. A request's side is the local port its connection came in
/// on, which no header can change. The admin key is still needed on the admin side: the split adds a network boundary,
/// it replaces nothing.
/// </summary>
public static partial class AdminListener
{
    public const string UrlsKey = "Admin:Urls";
    public const string DefaultPublicUrls = "http://127.0.0.1:8080";

    /// <summary>The local ports of the admin addresses; registered only when <c>Admin:Urls</c> is set.</summary>
    public sealed record AdminPorts(FrozenSet<int> Ports);

    /// <summary>Listens on the public addresses (<c>urls</c>, else <see cref="DefaultPublicUrls"/>) and, when set, the admin ones.</summary>
    public static void AddListeners(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration["urls"] is { Length: > 0 } u ? u : builder.Configuration["ASPNETCORE_URLS"];
        var publicUrls = string.IsNullOrWhiteSpace(configured) ? DefaultPublicUrls : configured;
        var admin = builder.Configuration[UrlsKey];
        if (string.IsNullOrWhiteSpace(admin))
        {
            if (string.IsNullOrWhiteSpace(configured)) builder.WebHost.UseUrls(DefaultPublicUrls);
            return;
        }
        var adminUrls = Split(admin);
        var ports = new HashSet<int>();
        foreach (var url in adminUrls)
        {
            if (PortOf(url) is not (> 0 and var port))
                throw new InvalidOperationException(
                    $"{UrlsKey}: '{url}' is not an http address with an explicit port (http://10.0.0.5:9090; TLS is terminated in front of the engine).");
            ports.Add(port);
        }
        foreach (var url in Split(publicUrls))
            if (PortOf(url) is { } port && ports.Contains(port))
                throw new InvalidOperationException($"{UrlsKey} uses port {port}, which the public address '{url}' uses too: give the admin listener its own port.");
        builder.WebHost.UseUrls([.. Split(publicUrls), .. adminUrls]);
        builder.Services.AddSingleton(new AdminPorts(ports.ToFrozenSet()));
    }

    /// <summary>After routing: sends each endpoint to its side's listener only (a no-op without <c>Admin:Urls</c>).</summary>
    public static void UseAdminListener(this WebApplication app)
    {
        if (app.Services.GetService<AdminPorts>() is not { } admin) return;
        app.Use((http, next) =>
        {
            var endpoint = http.GetEndpoint();
            if (endpoint is RouteEndpoint { RoutePattern.RawText: "/healthz" or "healthz" }) return next(http);
            var onAdminSide = admin.Ports.Contains(http.Connection.LocalPort);
            var forInternet = PublicEndpoints.ServesInternet(endpoint);
            if (onAdminSide ? forInternet : !forInternet)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(http);
        });
    }

    /// <summary>The port of an <c>http://host:port</c> address (host a name, an IPv4, <c>[IPv6]</c>, <c>*</c> or <c>+</c>); null when it is not one.</summary>
    private static int? PortOf(string url) =>
        Address().Match(url) is { Success: true } m && int.TryParse(m.Groups["port"].Value, out var port) && port <= 65535 ? port : null;

    [GeneratedRegex(@"^http://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-*+]+):(?<port>\d{1,5})/?$")]
    private static partial Regex Address();

    private static string[] Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

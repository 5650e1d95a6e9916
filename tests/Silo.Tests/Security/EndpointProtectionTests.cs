using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>The real engine, dashboard included: every endpoint it maps is on the public list or refuses a caller without the admin key.</summary>
public sealed class EndpointProtectionTests : IAsyncLifetime
{
    private const string VerifyToken = "verify-token-for-meta";

    private SiloApp _app = null!;

    public async Task InitializeAsync() => _app = await SiloApp.StartAsync(new Dictionary<string, string?>
    {
        ["Dashboard:Enabled"] = "true",
        ["WhatsApp:VerifyToken"] = VerifyToken,
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IReadOnlyList<RouteEndpoint> Mapped() => MappedEndpoints.Of(_app);

    [Fact]
    public async Task Every_mapped_endpoint_is_public_by_name_or_refuses_a_caller_without_the_admin_key()
    {
        using var anonymous = new HttpClient { BaseAddress = _app.BaseAddress };
        var refused = new List<string>();
        var unprotected = new List<string>();
        foreach (var endpoint in Mapped().Where(e => !PublicEndpoints.Allows(e)))
            foreach (var method in MappedEndpoints.Methods(endpoint))
            {
                var path = MappedEndpoints.Concrete(endpoint);
                using var response = await MappedEndpoints.SendAsync(anonymous, method, path);
                var body = await response.Content.ReadAsStringAsync();
                var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    && JsonDocument.Parse(body).RootElement.GetProperty("type").GetString() == "https://switchboard.dev/problems/unauthorized";
                (response.StatusCode == HttpStatusCode.Unauthorized && isProblem ? refused : unprotected)
                    .Add($"{method} {endpoint.RoutePattern.RawText} -> {(int)response.StatusCode}");
            }
        Assert.Empty(unprotected);
        // The admin API, the outbox, the voice API and the dashboard were all among the endpoints tried.
        foreach (var area in new[] { "/api/customers", "/api/turns", "/api/outbox", "/api/voice", "/dashboard" })
            Assert.Contains(refused, r => r.Contains(' ' + area) || r.Contains(' ' + area.TrimStart('/')));
    }

    [Fact]
    public void Every_endpoint_on_the_public_list_is_mapped_so_the_list_holds_nothing_stale()
    {
        var mapped = Mapped().Where(PublicEndpoints.Allows)
            .SelectMany(e => MappedEndpoints.Methods(e).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(PublicEndpoints.All, entry => Assert.Contains(entry, mapped));
    }

    [Fact]
    public async Task The_dashboard_asks_a_browser_for_the_admin_key_and_opens_with_it()
    {
        using var browser = new HttpClient { BaseAddress = _app.BaseAddress };
        var refused = await browser.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);

        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + SiloApp.AdminKey)));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("dashboard/")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_on_the_dashboard_and_the_api_alike()
    {
        using var wrong = new HttpClient { BaseAddress = _app.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SiloApp.AdminKey + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("api/outbox")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Http.GetAsync("api/outbox")).StatusCode);
    }

    [Fact]
    public async Task Public_endpoints_answer_without_a_key()
    {
        using var anonymous = new HttpClient { BaseAddress = _app.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("chat")).StatusCode);
        // Meta's subscription handshake carries its own proof (the verify token), not the admin key.
        var handshake = await anonymous.GetAsync($"webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=4711");
        Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
        Assert.Equal("4711", await handshake.Content.ReadAsStringAsync());
    }
}

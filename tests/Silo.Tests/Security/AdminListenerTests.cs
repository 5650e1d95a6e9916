using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// <c>Admin:Urls</c>: the real engine on two listeners. The public one serves only what the internet must reach (webhooks,
/// web chat, health), the admin one only the rest, whatever key the caller holds; every mapped endpoint is tried on both.
/// </summary>
public sealed class AdminListenerTests : IAsyncLifetime
{
    private const string VerifyToken = "verify-token-for-meta";
    private readonly int _adminPort = FreePort.Tcp();
    private SiloApp _app = null!;
    private HttpClient _public = null!, _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Enabled"] = "true",
            ["WhatsApp:VerifyToken"] = VerifyToken,
            [AdminListener.UrlsKey] = $"http://127.0.0.1:{_adminPort}",
        });
        var addresses = _app.App.Urls.Select(u => new Uri(u)).ToList();
        Assert.Equal(2, addresses.Count);
        _public = Client(addresses.Single(a => a.Port != _adminPort));
        _admin = Client(addresses.Single(a => a.Port == _adminPort));
    }

    private static HttpClient Client(Uri address)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SiloApp.AdminKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        _public.Dispose();
        _admin.Dispose();
        await _app.DisposeAsync();
    }

    private IReadOnlyList<RouteEndpoint> Mapped() =>
        MappedEndpoints.Of(_app).Where(e => e.RoutePattern.RawText?.TrimStart('/') != "healthz").ToList();

    private static async Task<HttpStatusCode> Call(HttpClient client, string method, string path)
    {
        using var response = await MappedEndpoints.SendAsync(client, method, path);
        return response.StatusCode;
    }

    [Fact]
    public async Task Operator_endpoints_are_not_found_on_the_public_listener_even_with_the_admin_key()
    {
        var operatorEndpoints = Mapped().Where(e => !PublicEndpoints.ServesInternet(e)).ToList();
        var answered = new List<string>();
        foreach (var endpoint in operatorEndpoints)
            foreach (var method in MappedEndpoints.Methods(endpoint))
                if (await Call(_public, method, MappedEndpoints.Concrete(endpoint)) != HttpStatusCode.NotFound)
                    answered.Add($"{method} {endpoint.RoutePattern.RawText}");
        Assert.Empty(answered);
        foreach (var area in new[] { "api/customers", "api/outbox", "api/voice", "dashboard", "analytics/login" })
            Assert.Contains(operatorEndpoints, e => e.RoutePattern.RawText!.TrimStart('/').StartsWith(area, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Internet_endpoints_are_not_found_on_the_admin_listener()
    {
        var internet = Mapped().Where(e => PublicEndpoints.ServesInternet(e)).ToList();
        var answered = new List<string>();
        foreach (var endpoint in internet)
            foreach (var method in MappedEndpoints.Methods(endpoint))
                if (await Call(_admin, method, MappedEndpoints.Concrete(endpoint)) != HttpStatusCode.NotFound)
                    answered.Add($"{method} {endpoint.RoutePattern.RawText}");
        Assert.Empty(answered);
        Assert.Contains(internet, e => e.RoutePattern.RawText!.Contains("webhooks/whatsapp"));
        Assert.Contains(internet, e => e.RoutePattern.RawText!.Contains("chat"));
    }

    [Fact]
    public async Task Each_side_serves_its_own_and_the_admin_side_still_needs_the_key()
    {
        // The public side: the web chat page and Meta's subscription handshake.
        Assert.Equal(HttpStatusCode.OK, (await _public.GetAsync("/chat")).StatusCode);
        var handshake = await _public.GetAsync($"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=4242");
        Assert.Equal("4242", await handshake.Content.ReadAsStringAsync());
        // The admin side: the outbox listing, the dashboard and the analytics login page; the key is still required.
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/api/outbox")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/analytics/login")).StatusCode);
        using var browser = new HttpClient { BaseAddress = _admin.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/outbox")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/dashboard/")).StatusCode);
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + SiloApp.AdminKey)));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/")).StatusCode);
        // Health answers on both, for probes on either network.
        Assert.Equal(HttpStatusCode.OK, (await _public.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1", "explicit port")]
    [InlineData("https://127.0.0.1:9443", "explicit port")]
    [InlineData("http://127.0.0.1:0", "explicit port")]
    [InlineData("http://127.0.0.1:9090/admin", "explicit port")]
    [InlineData("http://127.0.0.1:{public}", "uses too")]
    public async Task A_bad_admin_address_stops_the_engine_before_it_starts_with_a_clear_message(string admin, string expected)
    {
        var publicPort = FreePort.Tcp();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{publicPort}",
            [AdminListener.UrlsKey] = admin.Replace("{public}", publicPort.ToString()),
        }));
        Assert.Contains(AdminListener.UrlsKey, error.Message);
        Assert.Contains(expected, error.Message);
    }
}

using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Switchboard.Silo.Security;

namespace Switchboard.Silo.Tests.Security;

/// <summary>The host's authorization on its own, with an endpoint nobody listed nor protected: the next one a channel adds.</summary>
public sealed class DenyByDefaultTests : IAsyncLifetime
{
    private const string Key = "deny-by-default-key-0123";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Admin:ApiKey"] = Key });
        builder.AddAdminAuthorization();
        _app = builder.Build();
        _app.UseRouting();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/healthz", () => "ok");
        _app.MapGet("/api/new-report", () => "secret");
        _app.MapPost("/healthz", () => "not listed for POST");
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_nobody_listed_or_protected_is_refused_without_the_key_and_served_with_it()
    {
        var refused = await _http.GetAsync("/api/new-report");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/new-report");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_public_path_is_public_only_for_the_methods_on_the_list()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsync("/healthz", null)).StatusCode);
    }

    [Fact]
    public async Task A_path_nothing_maps_is_refused_without_the_key_so_it_reveals_nothing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/api/nothing-here")).StatusCode);
    }
}

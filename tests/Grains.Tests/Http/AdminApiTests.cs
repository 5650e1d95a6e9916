using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Http;

/// <summary>The admin API of the real engine (silo + HTTP on free ports, embedded store).</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private SiloApp _app = null!;

    private HttpClient Http => _app.Http;

    public async Task InitializeAsync() => _app = await SiloApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> Turn(object body, string? tenant = null) =>
        Http.PostAsJsonAsync("api/turns" + (tenant is null ? "" : $"?tenant={tenant}"), body);

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblem(HttpResponseMessage r, HttpStatusCode status, string kind)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://switchboard.dev/problems/" + kind, (await Json(r)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_customer_reached_on_whatsapp_is_resolved_from_a_sip_caller_and_shown_with_all_layers()
    {
        var posted = await Json(await Turn(new { channel = "whatsapp", address = "919800000001", messageId = "wamid.1", text = "hello" }));
        var id = posted.GetProperty("customerId").GetString();

        var resolved = await Http.GetFromJsonAsync<JsonElement>("api/customers/resolve?channel=voice&address=" + Uri.EscapeDataString("sip:+919800000001@sbc"));
        Assert.Equal(id, resolved.GetProperty("customerId").GetString());

        var customer = await Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}");
        foreach (var layer in new[] { "ephemeral", "persistentIntent", "systemMetadata", "consent", "addresses", "piiTokens" })
            Assert.True(customer.TryGetProperty(layer, out _), layer);
        Assert.Contains(customer.GetProperty("consent").EnumerateArray(),
            c => c.GetProperty("channel").GetString() == "whatsapp" && c.GetProperty("purpose").GetString() == "marketing" && c.GetProperty("status").GetString() == "unknown");

        var transcript = await Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}/transcript");
        var first = transcript.GetProperty("turns")[0];
        Assert.Equal(("whatsapp", "inbound", "hello"), (first.GetProperty("channel").GetString(), first.GetProperty("direction").GetString(), first.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Consent_posted_through_the_api_is_shown_with_its_status()
    {
        var id = (await Json(await Turn(new { channel = "sms", address = "+919800000002", messageId = "sms.1", text = "hi" }))).GetProperty("customerId").GetString();
        var r = await Http.PostAsJsonAsync($"api/customers/{id}/consent", new { channel = "sms", purpose = "marketing", status = "granted", source = "web-form", evidence = "form#1" });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True((await Json(r)).GetProperty("allowed").GetBoolean());
        var customer = await Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}");
        Assert.Contains(customer.GetProperty("consent").EnumerateArray(),
            c => c.GetProperty("channel").GetString() == "sms" && c.GetProperty("purpose").GetString() == "marketing" && c.GetProperty("status").GetString() == "granted");
    }

    [Fact]
    public async Task Without_the_api_key_every_admin_call_is_refused()
    {
        using var anonymous = new HttpClient { BaseAddress = _app.BaseAddress };
        await AssertProblem(await anonymous.GetAsync("api/customers/resolve?channel=whatsapp&address=919800000001"), HttpStatusCode.Unauthorized, "unauthorized");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key-wrong-key");
        await AssertProblem(await anonymous.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = "919800000001", messageId = "x", text = "hi" }), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("api/customers/resolve?channel=whatsapp&address=919800000001")).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_problem_json_and_change_nothing()
    {
        var filesBefore = Directory.EnumerateFiles(_app.StorePath, "*.state", SearchOption.AllDirectories).Count();

        await AssertProblem(await Http.GetAsync("api/customers/c-00000000000000000000"), HttpStatusCode.NotFound, "unknown-customer");
        await AssertProblem(await Http.GetAsync("api/customers/not-an-id/transcript"), HttpStatusCode.NotFound, "unknown-customer");
        await AssertProblem(await Http.DeleteAsync("api/customers/c-00000000000000000000"), HttpStatusCode.NotFound, "unknown-customer");
        await AssertProblem(await Http.GetAsync("api/customers/resolve?channel=whatsapp&address=%2B9198"), HttpStatusCode.BadRequest, "invalid-address");
        await AssertProblem(await Http.GetAsync("api/customers/resolve?channel=pigeon&address=1"), HttpStatusCode.BadRequest, "unknown-channel");
        await AssertProblem(await Http.GetAsync("api/customers/resolve?channel=whatsapp&address=919800000001&tenant=nobody"), HttpStatusCode.NotFound, "unknown-tenant");
        await AssertProblem(await Turn(new { channel = "voice", address = "+999123", messageId = "m", text = "hi" }), HttpStatusCode.BadRequest, "invalid-address");
        await AssertProblem(await Turn(new { channel = "whatsapp", address = "919800000001", messageId = "m", text = new string('x', 20_000) }), HttpStatusCode.RequestEntityTooLarge, "text-too-long");
        await AssertProblem(await Turn(new { channel = "whatsapp", address = "919800000001", text = "no id" }), HttpStatusCode.BadRequest, "missing-message-id");
        await AssertProblem(await Http.PostAsync("api/turns", new StringContent("{\"channel\": \"whatsapp\", ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "malformed-json");
        await AssertProblem(await Http.PostAsync("api/turns", new StringContent("channel=whatsapp", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await AssertProblem(await Http.PostAsync("api/turns", new StringContent(new string(' ', 100_000), Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge, "body-too-large");

        Assert.Equal(filesBefore, Directory.EnumerateFiles(_app.StorePath, "*.state", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Erasure_through_the_api_forgets_the_customer()
    {
        var id = (await Json(await Turn(new { channel = "whatsapp", address = "919800000003", messageId = "wamid.e", text = "erase me" }))).GetProperty("customerId").GetString();
        var erased = await Http.DeleteAsync($"api/customers/{id}");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var receipt = await Json(erased);
        Assert.Equal(id, receipt.GetProperty("customerId").GetString());
        // Recording is off here: the voice agent's participant ran and had nothing to remove.
        Assert.Equal(0, receipt.GetProperty("removed").GetProperty("call-recordings").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"api/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("api/customers/resolve?channel=whatsapp&address=919800000003")).StatusCode);
    }

    [Fact]
    public async Task Canary_pii_never_reaches_the_store_files_the_logs_or_the_api_output()
    {
        var canary = new Canary();
        var r = await Turn(new { channel = "whatsapp", address = "919800000004", messageId = "wamid.c", text = $"card {canary.CardSpaced} aadhaar {canary.Aadhaar} mail {canary.Email}" });
        var body = await r.Content.ReadAsStringAsync();
        Assert.Null(canary.FoundIn(body));
        var id = JsonDocument.Parse(body).RootElement.GetProperty("customerId").GetString();
        Assert.Null(canary.FoundIn(await Http.GetStringAsync($"api/customers/{id}")));
        Assert.Null(canary.FoundIn(await Http.GetStringAsync($"api/customers/{id}/transcript")));

        var files = Directory.EnumerateFiles(_app.StorePath, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.Null(canary.FoundIn(await File.ReadAllBytesAsync(file)));
        Assert.Null(canary.FoundIn(_app.Logs.All));
        Assert.DoesNotContain("919800000004", string.Join('\n', files));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>The real engine with several admin keys, each with some scopes, and the audit log their calls leave.</summary>
public sealed class ScopedKeyTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string[]> Keys = new Dictionary<string, string[]>
    {
        ["reader"] = [AdminScopes.Read],
        ["operator"] = [AdminScopes.Operate],
        ["resolver"] = [AdminScopes.PiiResolve],
        ["eraser"] = [AdminScopes.Erase],
    }
    // A key with every scope but one, for each scope.
    .Concat(AdminScopes.All.Select(s => KeyValuePair.Create("all-but-" + s.Replace(':', '-'), AdminScopes.All.Where(o => o != s).ToArray())))
    .ToDictionary();

    private SiloApp _app = null!;

    private static string KeyOf(string name) => $"scoped-key-{name}-0123456789";

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Dashboard:Enabled"] = "true" };
        foreach (var (name, scopes) in Keys)
        {
            settings[$"Admin:Keys:{name}:Key"] = KeyOf(name);
            for (var i = 0; i < scopes.Length; i++) settings[$"Admin:Keys:{name}:Scopes:{i}"] = scopes[i];
        }
        _app = await SiloApp.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient As(string name)
    {
        var http = new HttpClient { BaseAddress = _app.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", KeyOf(name));
        return http;
    }

    [Fact]
    public async Task Every_protected_endpoint_answers_403_to_a_key_without_the_scope_it_needs_and_lets_the_scope_through()
    {
        var endpoints = MappedEndpoints.Of(_app).Where(e => !PublicEndpoints.Allows(e)).ToList();
        var wrong = new List<string>();
        var tried = 0;
        foreach (var endpoint in endpoints)
            foreach (var method in MappedEndpoints.Methods(endpoint))
            {
                var scope = AdminAuthorization.RequiredScope(endpoint, method);
                var path = MappedEndpoints.Concrete(endpoint);
                using var without = As("all-but-" + scope.Replace(':', '-'));
                using var refused = await MappedEndpoints.SendAsync(without, method, path);
                var type = refused.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString()
                    : null;
                if (refused.StatusCode != HttpStatusCode.Forbidden || type != "https://switchboard.dev/problems/forbidden-scope")
                    wrong.Add($"{method} {path} without {scope}: {(int)refused.StatusCode} {type}");
                using var with = As(Keys.First(k => k.Value.SequenceEqual([scope])).Key);
                using var let = await MappedEndpoints.SendAsync(with, method, path);
                if (let.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    wrong.Add($"{method} {path} with {scope}: {(int)let.StatusCode}");
                tried++;
            }
        Assert.Empty(wrong);
        Assert.True(tried >= 12, $"only {tried} endpoints tried");
    }

    [Fact]
    public async Task Only_the_pii_resolve_scope_unseals_a_token_and_only_the_erase_scope_erases()
    {
        var posted = await (await _app.Http.PostAsJsonAsync("api/turns",
            new { channel = "whatsapp", address = "919800000031", messageId = "wamid.scope.1", text = "my card is 4111 1111 1111 1111" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = posted.GetProperty("customerId").GetString();
        using var reader = As("reader");
        var transcript = await reader.GetFromJsonAsync<JsonElement>($"api/customers/{id}/transcript");
        var token = Regex.Match(transcript.GetProperty("turns")[0].GetProperty("text").GetString()!, @"\{\{card:[^}]+\}\}").Value;
        var resolve = new { token, purpose = "refund", actor = "agent-7" };

        foreach (var name in new[] { "reader", "operator", "eraser", "all-but-pii-resolve" })
        {
            using var http = As(name);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync($"api/customers/{id}/pii/resolve", resolve)).StatusCode);
        }
        using var resolver = As("resolver");
        var unsealed = await (await resolver.PostAsJsonAsync($"api/customers/{id}/pii/resolve", resolve)).Content.ReadAsStringAsync();
        Assert.Contains("4111111111111111", unsealed.Replace(" ", ""));

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"api/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"api/customers/{id}")).StatusCode);
        using var eraser = As("eraser");
        Assert.Equal(HttpStatusCode.OK, (await eraser.DeleteAsync($"api/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"api/customers/{id}")).StatusCode);
    }

    [Fact]
    public async Task Each_admin_call_leaves_one_audit_line_naming_its_key_and_no_address_or_pii_value()
    {
        const string phone = "919800000032";
        var canary = new Canary();
        using var operatorKey = As("operator");
        var posted = await (await operatorKey.PostAsJsonAsync("api/turns",
            new { channel = "whatsapp", address = phone, messageId = "wamid.audit.1", text = "card " + canary.CardSpaced }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = posted.GetProperty("customerId").GetString()!;
        using var reader = As("reader");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"api/customers/resolve?channel=whatsapp&address={phone}")).StatusCode);
        // A phone number where a customer id belongs must not reach the log either.
        await reader.GetAsync($"api/customers/{phone}");
        using var eraser = As("eraser");
        Assert.Equal(HttpStatusCode.OK, (await eraser.DeleteAsync($"api/customers/{id}")).StatusCode);

        var audit = _app.Logs.Lines.Where(l => l.Contains(' ' + AdminAudit.Category + ':')).ToList();
        Assert.Single(audit, l => l.Contains("POST") && l.Contains("/turns") && l.Contains("operator"));
        Assert.Single(audit, l => l.Contains("GET") && l.Contains("/customers/resolve") && l.Contains("reader"));
        Assert.Single(audit, l => l.Contains("DELETE") && l.Contains("eraser") && l.Contains(id) && l.Contains("200"));
        Assert.Single(audit, l => l.Contains("GET") && l.Contains("reader") && l.Contains("not-an-id"));
        Assert.DoesNotContain(audit, l => l.Contains("9800000032") || canary.FoundIn(l) is not null);
    }
}

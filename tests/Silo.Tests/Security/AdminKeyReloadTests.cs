using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// The real engine with its scoped keys in a JSON file it reloads: a key is rotated, revoked and added without a restart,
/// a change that does not validate keeps the keys in force, and an expired key is refused with a reason.
/// </summary>
public sealed class AdminKeyReloadTests : IAsyncLifetime
{
    private const string First = "ops-key-value-000000001", Second = "ops-key-value-000000002", Added = "audit-key-value-0000001";
    private readonly TempDirectory _dir = new();
    private string KeysFile => Path.Combine(_dir.Path, "admin-keys.json");
    private SiloApp _app = null!;

    public async Task InitializeAsync()
    {
        Write(new() { ["ops"] = (First, "read", null) });
        _app = await SiloApp.StartAsync(configure: b => b.Configuration.AddJsonFile(KeysFile, optional: false, reloadOnChange: true));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Replaces the file in one rename, as a secret mount or a deploy tool does, so the engine never reads half a file.</summary>
    private void Write(Dictionary<string, (string Key, string Scope, string? Expires)> keys)
    {
        var section = new JsonObject();
        foreach (var (name, (key, scope, expires)) in keys)
        {
            var entry = new JsonObject { ["Key"] = key, ["Scopes"] = new JsonArray(scope) };
            if (expires is not null) entry["Expires"] = expires;
            section[name] = entry;
        }
        var temp = KeysFile + ".tmp";
        File.WriteAllText(temp, new JsonObject { ["Admin"] = new JsonObject { ["Keys"] = section } }.ToJsonString());
        File.Move(temp, KeysFile, overwrite: true);
    }

    private async Task<HttpStatusCode> Outbox(string key)
    {
        using var client = new HttpClient { BaseAddress = _app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.GetAsync("/api/outbox");
        return response.StatusCode;
    }

    /// <summary>Waits for the engine to have taken in <paramref name="count"/> changes of the file (polling with a wrong key would trip the failed-key throttle).</summary>
    private Task<bool> Reloaded(int count)
    {
        var ring = _app.App.Services.GetRequiredService<AdminKeyring>();
        return Eventually.HoldsAsync(() => Task.FromResult(ring.Reloads >= count), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_key_is_rotated_revoked_and_added_without_a_restart()
    {
        Assert.Equal(HttpStatusCode.OK, await Outbox(First));
        Assert.Equal(HttpStatusCode.Unauthorized, await Outbox(Second));

        Write(new() { ["ops"] = (Second, "read", null) });
        Assert.True(await Reloaded(1));
        Assert.Equal(HttpStatusCode.OK, await Outbox(Second));
        Assert.Equal(HttpStatusCode.Unauthorized, await Outbox(First));

        Write(new() { ["audit"] = (Added, "read", null) });
        Assert.True(await Reloaded(2));
        Assert.Equal(HttpStatusCode.OK, await Outbox(Added));
        Assert.Equal(HttpStatusCode.Unauthorized, await Outbox(Second));
        // The full key from the start configuration is untouched by the file's changes.
        Assert.Equal(HttpStatusCode.OK, await Outbox(SiloApp.AdminKey));
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains(First) || l.Contains(Second) || l.Contains(Added));
    }

    [Fact]
    public async Task A_change_that_does_not_validate_keeps_the_keys_in_force_and_says_why()
    {
        var ring = _app.App.Services.GetRequiredService<AdminKeyring>();
        Write(new() { ["ops"] = ("too-short", "read", null) });
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(_app.Logs.Lines.Any(l => l.Contains("Admin keys not reloaded") && l.Contains("Admin:Keys:ops:Key"))),
            TimeSpan.FromSeconds(30)));
        Assert.Equal(0, ring.Reloads);
        Assert.Equal(HttpStatusCode.OK, await Outbox(First));
        Assert.Equal(HttpStatusCode.Unauthorized, await Outbox("too-short"));

        Write(new() { ["ops"] = (Second, "delete-everything", null) });
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(_app.Logs.Lines.Any(l => l.Contains("Admin:Keys:ops:Scopes"))), TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, await Outbox(First));
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains(Second) || l.Contains("too-short"));
    }

    [Fact]
    public async Task An_expired_key_is_refused_with_the_reason_and_a_key_not_yet_expired_works()
    {
        Write(new()
        {
            ["old"] = (First, "read", DateTimeOffset.UtcNow.AddDays(-1).ToString("o")),
            ["new"] = (Second, "read", DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd")),
        });
        Assert.True(await Reloaded(1));
        Assert.Equal(HttpStatusCode.OK, await Outbox(Second));
        using var client = new HttpClient { BaseAddress = _app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", First);
        using var refused = await client.GetAsync("/api/outbox");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("expired", await refused.Content.ReadAsStringAsync());
        Assert.Contains(_app.Logs.Lines, l => l.Contains("Admin key old presented after it expired"));
    }
}

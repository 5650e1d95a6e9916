using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// Master key rotation on the real engine and its embedded store, across restarts: values sealed before the rotation
/// still resolve, the rewrap endpoint moves them to the new key, and then the old key can be retired.
/// </summary>
public sealed partial class KeyRotationTests
{
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Old_values_resolve_after_rotation_and_after_a_rewrap_the_old_key_can_be_retired()
    {
        using var store = new TempDirectory();
        var rotated = new Dictionary<string, string?> { ["Pii:MasterKeys:k2"] = NewKey, ["Pii:ActiveMasterKey"] = "k2" };
        string customer, oldToken, newToken;

        await using (var before = await SiloApp.StartAsync(storePath: store.Path))
            (customer, oldToken) = await PostCardAsync(before, "wamid.rot-1", "4111 1111 1111 1111", null);

        await using (var app = await SiloApp.StartAsync(rotated, store.Path))
        {
            Assert.Equal("4111111111111111", await ResolveAsync(app, customer, oldToken));
            (_, newToken) = await PostCardAsync(app, "wamid.rot-2", "5500 0000 0000 0004", customer);
            Assert.Equal("5500000000000004", await ResolveAsync(app, customer, newToken));
            // Only the value sealed before the rotation moves; a second rewrap has nothing left to do.
            Assert.Equal(1, await RewrapAsync(app, customer));
            Assert.Equal(0, await RewrapAsync(app, customer));
        }

        await using (var retired = await SiloApp.StartAsync(new Dictionary<string, string?>(rotated) { ["Pii:RetireLegacyVaultKey"] = "true" }, store.Path))
        {
            Assert.Equal("4111111111111111", await ResolveAsync(retired, customer, oldToken));
            Assert.Equal("5500000000000004", await ResolveAsync(retired, customer, newToken));
        }
    }

    private static async Task<(string Customer, string Token)> PostCardAsync(SiloApp app, string messageId, string card, string? customer)
    {
        var post = await app.Http.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = "919800000077", messageId, text = $"my card is {card}" });
        post.EnsureSuccessStatusCode();
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString()!;
        if (customer is not null) Assert.Equal(customer, id);
        var transcript = await app.Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}/transcript");
        var last4 = card[^4..];
        var token = transcript.GetProperty("turns").EnumerateArray()
            .Select(t => CardToken().Match(t.GetProperty("text").GetString()!))
            .Last(m => m.Success && m.Value.Contains(":" + last4 + ":")).Value;
        return (id, token);
    }

    private static async Task<string> ResolveAsync(SiloApp app, string customer, string token)
    {
        var r = await app.Http.PostAsJsonAsync($"api/customers/{customer}/pii/resolve", new { token, purpose = "key rotation test", actor = "test" });
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
    }

    private static async Task<int> RewrapAsync(SiloApp app, string customer)
    {
        var r = await app.Http.PostAsync($"api/customers/{customer}/vault/rewrap", null);
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rewrapped").GetInt32();
    }

    [GeneratedRegex(@"\{\{card:\d{4}:[0-9a-f]{10}\}\}")]
    private static partial Regex CardToken();
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Addressing;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// Rotating the master key that roots PII tokens, address pseudonyms and session tokens, on the real engine across
/// three starts on one store (embedded log and redis-server): with the new key active, a returning WhatsApp number
/// reaches the same customer and is moved to the new key's pseudonym on the spot, an address nobody used since is still
/// found, a card typed again keeps its token, a "continue on web" link sent before still joins, erasure still removes
/// every binding; one rewrap pass moves every address left (a second has nothing to move); then with the old key retired
/// everything still resolves. No card, e-mail or phone number reaches the store (a file, a Redis key or value) or a log
/// line at any point.
/// </summary>
public sealed partial class PseudonymRotationTests
{
    private const int Customers = 10;
    /// <summary>The engine's default tenant (Silo/appsettings.json).</summary>
    private const string Tenant = "airline";
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    /// <summary>SiloApp's <c>Pii:MasterKey</c>.</summary>
    private static readonly byte[] LegacyKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task A_new_key_takes_over_without_splitting_customers_and_the_old_key_can_then_be_retired(string storeKind)
    {
        using var store = new TempDirectory();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        var settings = new Dictionary<string, string?>();
        if (redis is not null) settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        var rotated = new Dictionary<string, string?>(settings) { ["Pii:MasterKeys:k2"] = NewKey, ["Pii:ActiveMasterKey"] = "k2" };
        var retiredSettings = new Dictionary<string, string?>(rotated) { ["Pii:RetireLegacyVaultKey"] = "true", ["Pii:RetireLegacyPseudonymKeys"] = "true" };
        var canaries = Enumerable.Range(0, Customers).Select(_ => new Canary()).ToArray();
        var later = new Canary();
        var numbers = Enumerable.Range(0, Customers).Select(i => $"9198{RandomNumberGenerator.GetInt32(10_000_000, 100_000_000)}").ToArray();
        var ids = new string[Customers];
        var cardTokens = new string[Customers];
        var logs = new List<string>();
        string sessionToken, laterToken;

        await using (var before = await SiloApp.StartAsync(settings, store.Path))
        {
            for (var i = 0; i < Customers; i++)
                (ids[i], cardTokens[i]) = await TurnAsync(before, numbers[i], $"wamid.pr-{i}", $"my card is {canaries[i].CardSpaced}, mail {canaries[i].Email}", canaries[i].Card);
            var issued = await before.Http.PostAsJsonAsync($"api/customers/{ids[0]}/session-tokens", new { purpose = "join", lifetimeMinutes = 120 });
            issued.EnsureSuccessStatusCode();
            sessionToken = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            logs.AddRange(before.Logs.Lines);
        }

        await using (var app = await SiloApp.StartAsync(rotated, store.Path))
        {
            var journal = app.App.Services.GetRequiredService<IJournalStore>();
            var pseudonyms = app.App.Services.GetRequiredService<AddressPseudonyms>();
            var legacy = new AddressPseudonyms(new CustomerKeys(LegacyKey));
            // As the engine keys them: a WhatsApp id is a phone number in E.164.
            var whatsApp = numbers.Select(n => AddressNormalizer.Normalize(AddressKind.WhatsApp, n)).ToArray();
            Assert.Equal(AddressKind.Phone, whatsApp[0].Kind);
            Assert.NotEqual(legacy.IdentityKey(Tenant, whatsApp[0]), pseudonyms.IdentityKey(Tenant, whatsApp[0]));
            Assert.True(await BoundAsync(journal, legacy.IdentityKey(Tenant, whatsApp[0])));
            Assert.False(await BoundAsync(journal, pseudonyms.IdentityKey(Tenant, whatsApp[0])));

            // A returning number is the same customer; its binding moves to the new key's pseudonym as it is found.
            var (again, sameCard) = await TurnAsync(app, numbers[0], "wamid.pr-0-again", $"same card {canaries[0].Card}", canaries[0].Card);
            Assert.Equal(ids[0], again);
            Assert.Equal(cardTokens[0], sameCard);
            Assert.True(await BoundAsync(journal, pseudonyms.IdentityKey(Tenant, whatsApp[0])));
            Assert.False(await BoundAsync(journal, legacy.IdentityKey(Tenant, whatsApp[0])));
            // A value never seen gets a token under the new key; both resolve.
            (_, laterToken) = await TurnAsync(app, numbers[0], "wamid.pr-0-new", $"new card {later.Card}", later.Card);
            Assert.Equal(later.Card, await ResolvePiiAsync(app, ids[0], laterToken));
            Assert.Equal(canaries[0].Card, await ResolvePiiAsync(app, ids[0], cardTokens[0]));

            // An address nobody used since the rotation is still found (and moved).
            Assert.Equal(ids[1], await ResolveAddressAsync(app, numbers[1]));
            Assert.True(await BoundAsync(journal, pseudonyms.IdentityKey(Tenant, whatsApp[1])));

            // A link sent before the rotation still joins the web visitor to its customer.
            Assert.True(await JoinsAsync(app, sessionToken), "a session token signed before the rotation was refused");

            // Erasure while the address is still under the old key's pseudonym removes that binding too.
            Assert.Equal(HttpStatusCode.OK, (await app.Http.DeleteAsync($"api/customers/{ids[9]}")).StatusCode);
            Assert.Null(await ResolveAddressAsync(app, numbers[9]));
            Assert.False(await BoundAsync(journal, legacy.IdentityKey(Tenant, whatsApp[9])));

            // One pass moves every address still under the old key (customers 2 to 8) and every vault value sealed
            // under it (customers 0 to 8: the card of each; customer 0's new card already is under k2).
            var first = await VaultRewrap.RunAsync(app);
            Assert.Equal(Customers - 1, first.GetProperty("customersVisited").GetInt64());
            Assert.Equal(Customers - 3, first.GetProperty("addressesRekeyed").GetInt64());
            // Every customer's stored address is sealed anew under k2 with k2's pseudonym.
            Assert.Equal(Customers - 1, first.GetProperty("addressesResealed").GetInt64());
            Assert.Equal(0, first.GetProperty("customersFailed").GetInt64());
            for (var i = 0; i < Customers - 1; i++)
            {
                Assert.True(await BoundAsync(journal, pseudonyms.IdentityKey(Tenant, whatsApp[i])), $"customer {i} not under the new key");
                Assert.False(await BoundAsync(journal, legacy.IdentityKey(Tenant, whatsApp[i])), $"customer {i} still under the old key");
            }
            var second = await VaultRewrap.RunAsync(app);
            Assert.Equal(0, second.GetProperty("addressesRekeyed").GetInt64());
            Assert.Equal(0, second.GetProperty("valuesRewrapped").GetInt64());
            Assert.Equal(0, second.GetProperty("addressesResealed").GetInt64());
            Assert.Contains(app.Logs.Lines, l => l.Contains("addresses re-keyed", StringComparison.Ordinal));
            logs.AddRange(app.Logs.Lines);
        }

        await using (var retired = await SiloApp.StartAsync(retiredSettings, store.Path))
        {
            for (var i = 0; i < Customers - 1; i++)
            {
                Assert.Equal(ids[i], await ResolveAddressAsync(retired, numbers[i]));
                Assert.Equal(canaries[i].Card, await ResolvePiiAsync(retired, ids[i], cardTokens[i]));
            }
            Assert.Equal(later.Card, await ResolvePiiAsync(retired, ids[0], laterToken));
            var (returning, _) = await TurnAsync(retired, numbers[2], "wamid.pr-2-again", "hello again", null);
            Assert.Equal(ids[2], returning);
            // The erased customer's number is a stranger now.
            Assert.Null(await ResolveAddressAsync(retired, numbers[9]));
            var (stranger, _) = await TurnAsync(retired, numbers[9], "wamid.pr-9-again", "hello", null);
            Assert.NotEqual(ids[9], stranger);
            // The old key signs nothing any more: a link from before the rotation is refused.
            Assert.False(await JoinsAsync(retired, sessionToken), "a session token signed by the retired key was accepted");
            logs.AddRange(retired.Logs.Lines);
        }

        // No raw PII at rest or in logs at any point: no phone number in a key, a value, a file name or a file.
        var joinedLogs = string.Join('\n', logs);
        foreach (var c in canaries.Append(later)) Assert.Null(c.FoundIn(joinedLogs));
        Assert.All(numbers, n => Assert.DoesNotContain(n, joinedLogs));
        if (redis is not null)
        {
            foreach (var (key, value) in await redis.DumpAsync())
            {
                Assert.All(numbers, n => Assert.DoesNotContain(n, key));
                Assert.All(numbers, n => Assert.DoesNotContain(n, Encoding.UTF8.GetString(value)));
                foreach (var c in canaries.Append(later)) Assert.Null(c.FoundIn(value));
            }
        }
        var files = Directory.EnumerateFiles(store.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.All(numbers, n => Assert.DoesNotContain(n, string.Join('\n', files)));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.All(numbers, n => Assert.DoesNotContain(n, Encoding.UTF8.GetString(bytes)));
            foreach (var c in canaries.Append(later)) Assert.Null(c.FoundIn(bytes));
        }
    }

    private static async Task<bool> BoundAsync(IJournalStore journal, string identityKey) =>
        (await journal.ReadAsync("identity/" + identityKey)).Snapshot is not null;

    /// <summary>A WhatsApp turn; the customer it reached and the token the tokenizer gave <paramref name="card"/> in it.</summary>
    private static async Task<(string Customer, string CardToken)> TurnAsync(SiloApp app, string number, string messageId, string text, string? card)
    {
        var post = await app.Http.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = number, messageId, text });
        post.EnsureSuccessStatusCode();
        var body = await post.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("customerId").GetString()!;
        if (card is null) return (id, "");
        var transcript = await app.Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}/transcript");
        var token = transcript.GetProperty("turns").EnumerateArray()
            .Where(t => t.GetProperty("direction").GetString() == "inbound")
            .Select(t => CardToken().Matches(t.GetProperty("text").GetString()!))
            .SelectMany(m => m)
            .Last(m => m.Value.Contains(":" + card[^4..] + ":", StringComparison.Ordinal)).Value;
        return (id, token);
    }

    private static async Task<string?> ResolveAddressAsync(SiloApp app, string number)
    {
        var r = await app.Http.GetAsync($"api/customers/resolve?channel=whatsapp&address={number}");
        if (r.StatusCode == HttpStatusCode.NotFound) return null;
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
    }

    private static async Task<string> ResolvePiiAsync(SiloApp app, string customer, string token)
    {
        var r = await app.Http.PostAsJsonAsync($"api/customers/{customer}/pii/resolve", new { token, purpose = "pseudonym rotation test", actor = "test" });
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
    }

    /// <summary>Opens the web chat page with the link's token: the engine redirects to the page, with <c>link=expired</c> when it refused it.</summary>
    private static async Task<bool> JoinsAsync(SiloApp app, string token)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.BaseAddress };
        var r = await http.GetAsync("chat?token=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return !r.Headers.Location!.OriginalString.Contains("link=expired", StringComparison.Ordinal);
    }


    [GeneratedRegex(@"\{\{card:\d{4}:[0-9a-f]{10}\}\}")]
    private static partial Regex CardToken();
}

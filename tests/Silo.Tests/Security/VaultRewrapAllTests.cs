using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// <c>POST /api/vault/rewrap</c> on the real engine, on the embedded store and on redis-server: after a master key
/// rotation one pass re-seals every customer's vault (several listing pages), a pass found interrupted resumes from its
/// stored cursor, a second pass has nothing left to do, and then the old key can be retired with every value still
/// resolving.
/// </summary>
public sealed partial class VaultRewrapAllTests
{
    private const int Customers = 2 * VaultRewrapGrain.PageSize + 6;
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task One_call_rewraps_every_vault_resumably_and_the_old_key_can_then_be_retired(string storeKind)
    {
        using var store = new TempDirectory();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        var settings = new Dictionary<string, string?>();
        if (redis is not null) settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        var rotated = new Dictionary<string, string?>(settings) { ["Pii:MasterKeys:k2"] = NewKey, ["Pii:ActiveMasterKey"] = "k2" };
        List<(string Customer, string Token, string Card)> cards;

        await using (var before = await SiloApp.StartAsync(settings, store.Path))
        {
            var progress = await Http(before).GetFromJsonAsync<JsonElement>("api/vault/rewrap");
            Assert.Equal("idle", progress.GetProperty("status").GetString());
            // Four senders at a time: within what the edge admits at once on any machine (2 turns per core in flight
            // plus a short queue); this test is about the rewrap, not admission.
            cards = [.. await Task.WhenAll(Enumerable.Range(0, Customers).Chunk((Customers + 3) / 4).Select(async chunk =>
            {
                var made = new List<(string, string, string)>();
                foreach (var i in chunk) made.Add(await PostCardAsync(before, i));
                return made;
            })).ContinueWith(t => t.Result.SelectMany(x => x))];
        }

        await using (var app = await SiloApp.StartAsync(rotated, store.Path))
        {
            // A pass that was under way when its silo went away: running, its cursor somewhere in the listing.
            var journal = app.App.Services.GetRequiredService<IJournalStore>();
            var first = await journal.ListStreamsAsync(JournalListing.CustomerPrefix, null, 30);
            // On Redis one SCAN step covers this small keyspace, so the cursor is null: the pass resumes from the start.
            var remaining = first.Cursor is null ? Customers : await CountFrom(journal, first.Cursor);
            var interrupted = new VaultRewrapJob { StartedBy = "an earlier call" };
            interrupted.Reset(1, "k2", "an earlier call", DateTimeOffset.UtcNow);
            interrupted.Cursor = first.Cursor;
            interrupted.Visited = 30;
            var serializer = app.App.Services.GetRequiredService<Serializer>();
            await journal.AppendAsync(VaultRewrapGrain.StreamName, 0, JournalRecordKind.Snapshot, serializer.SerializeToArray(interrupted));

            // Asking for a pass while one is under way resumes it instead of starting another.
            var resumed = await StartAsync(app);
            Assert.Equal(1, resumed.GetProperty("pass").GetInt32());
            resumed = await DoneAsync(app);
            Assert.Equal(1, resumed.GetProperty("resumptions").GetInt32());
            Assert.Equal(30 + remaining, resumed.GetProperty("customersVisited").GetInt64());
            Assert.Equal(remaining, resumed.GetProperty("valuesRewrapped").GetInt64());
            Assert.Equal(0, resumed.GetProperty("customersFailed").GetInt64());

            // A new pass visits everyone and moves what the interrupted one had not reached; then nothing is left.
            Assert.Equal(2, (await StartAsync(app)).GetProperty("pass").GetInt32());
            var second = await DoneAsync(app);
            Assert.Equal("k2", second.GetProperty("targetKey").GetString());
            Assert.Equal(Customers, second.GetProperty("customersVisited").GetInt64());
            Assert.Equal(Customers - remaining, second.GetProperty("valuesRewrapped").GetInt64());

            Assert.Equal(3, (await StartAsync(app)).GetProperty("pass").GetInt32());
            var third = await DoneAsync(app);
            Assert.Equal(Customers, third.GetProperty("customersVisited").GetInt64());
            Assert.Equal(0, third.GetProperty("valuesRewrapped").GetInt64());
            Assert.Contains(app.Logs.Lines, l => l.Contains("Vault rewrap pass 3 done", StringComparison.Ordinal));
        }

        await using (var retired = await SiloApp.StartAsync(new Dictionary<string, string?>(rotated) { ["Pii:RetireLegacyVaultKey"] = "true" }, store.Path))
        {
            foreach (var (customer, token, card) in cards)
                Assert.Equal(card, await ResolveAsync(retired, customer, token));
            // Progress is durable: the finished pass is still reported after the restart.
            var progress = await Http(retired).GetFromJsonAsync<JsonElement>("api/vault/rewrap");
            Assert.Equal("done", progress.GetProperty("status").GetString());
            Assert.Equal(3, progress.GetProperty("pass").GetInt32());
        }
    }

    private static HttpClient Http(SiloApp app) => app.Http;

    private static async Task<long> CountFrom(IJournalStore journal, string? cursor)
    {
        var names = new HashSet<string>();
        while (cursor is not null)
        {
            var page = await journal.ListStreamsAsync(JournalListing.CustomerPrefix, cursor, 100);
            names.UnionWith(page.Streams);
            cursor = page.Cursor;
        }
        return names.Count;
    }

    private static async Task<JsonElement> StartAsync(SiloApp app)
    {
        var r = await app.Http.PostAsync("api/vault/rewrap", null);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> DoneAsync(SiloApp app)
    {
        JsonElement last = default;
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            last = await app.Http.GetFromJsonAsync<JsonElement>("api/vault/rewrap");
            return last.GetProperty("status").GetString() == "done";
        }, TimeSpan.FromSeconds(120)), "the rewrap pass did not finish");
        return last;
    }

    private static async Task<(string Customer, string Token, string Card)> PostCardAsync(SiloApp app, int i)
    {
        var card = Luhn($"41111111{i:D7}");
        var post = await app.Http.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = $"9198100{i:D5}", messageId = $"wamid.rewrap-{i}", text = $"my card is {card}" });
        post.EnsureSuccessStatusCode();
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString()!;
        var transcript = await app.Http.GetFromJsonAsync<JsonElement>($"api/customers/{id}/transcript");
        var token = transcript.GetProperty("turns").EnumerateArray()
            .Select(t => CardToken().Match(t.GetProperty("text").GetString()!))
            .First(m => m.Success).Value;
        return (id, token, card);
    }

    /// <summary>The 15 digits followed by their Luhn check digit: a card number the tokenizer recognises.</summary>
    private static string Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return digits + (10 - sum % 10) % 10;
    }

    private static async Task<string> ResolveAsync(SiloApp app, string customer, string token)
    {
        var r = await app.Http.PostAsJsonAsync($"api/customers/{customer}/pii/resolve", new { token, purpose = "rewrap test", actor = "test" });
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
    }

    [GeneratedRegex(@"\{\{card:\d{4}:[0-9a-f]{10}\}\}")]
    private static partial Regex CardToken();
}

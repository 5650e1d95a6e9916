using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// Addresses at rest, on the real engine across three starts on one store (embedded log and redis-server): a phone
/// number (SMS), a WhatsApp id and a SIP Call-ID used as addresses through <c>POST /api/turns</c> are answered by
/// <c>GET /api/customers/{id}</c> after every restart, one rewrap pass after a master key rotation reseals each of
/// them (a second reseals none), they still open with the old key retired, and erasure makes the address a stranger.
/// At no point does any of them, nor the e-mail and card written in the turns, appear in a store file, a Redis key or
/// value, or a log line.
/// </summary>
public sealed class AddressSealingTests
{
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task Addresses_are_sealed_at_rest_resealed_by_the_rewrap_pass_and_never_written_in_clear(string storeKind)
    {
        using var store = new TempDirectory();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        var settings = new Dictionary<string, string?>();
        if (redis is not null) settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        var rotated = new Dictionary<string, string?>(settings) { ["Pii:MasterKeys:k2"] = NewKey, ["Pii:ActiveMasterKey"] = "k2" };
        var retired = new Dictionary<string, string?>(rotated) { ["Pii:RetireLegacyVaultKey"] = "true", ["Pii:RetireLegacyPseudonymKeys"] = "true" };
        var canary = new Canary();
        // What each turn is sent with, and the address the customer then holds (normalised).
        var sent = new (string Channel, string? Kind, string Address, string HeldKind, string HeldValue)[]
        {
            ("sms", null, canary.Phone, "phone", canary.Phone),
            ("whatsapp", null, canary.WhatsAppId, "phone", "+" + canary.WhatsAppId),
            ("voice", "sip-call-id", canary.SipCallId, "sip-call-id", canary.SipCallId),
        };
        var ids = new string[sent.Length];
        var logs = new List<string>();

        await using (var first = await SiloApp.StartAsync(settings, store.Path))
        {
            for (var i = 0; i < sent.Length; i++)
            {
                var post = await first.Http.PostAsJsonAsync("api/turns", new
                {
                    channel = sent[i].Channel, address = sent[i].Address, addressKind = sent[i].Kind, messageId = $"m-{i}",
                    text = $"card {canary.CardSpaced}, mail {canary.Email}",
                });
                Assert.Equal(HttpStatusCode.OK, post.StatusCode);
                ids[i] = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString()!;
            }
            Assert.Equal(sent.Length, ids.Distinct().Count());
            await AssertHeldAsync(first, ids, sent);
            logs.AddRange(first.Logs.Lines);
        }
        // As written (before any reseal could supersede a record).
        await AssertNothingAtRestAsync(canary, store.Path, redis);

        await using (var app = await SiloApp.StartAsync(rotated, store.Path))
        {
            // Opened from the journal, as sealed under the old key.
            await AssertHeldAsync(app, ids, sent);
            var pass = await VaultRewrap.RunAsync(app);
            Assert.Equal(sent.Length, pass.GetProperty("addressesResealed").GetInt64());
            Assert.Equal(0, pass.GetProperty("customersFailed").GetInt64());
            Assert.Equal(0, (await VaultRewrap.RunAsync(app)).GetProperty("addressesResealed").GetInt64());
            await AssertHeldAsync(app, ids, sent);
            // One customer by id: nothing left to reseal.
            var one = await app.Http.PostAsync($"api/customers/{ids[0]}/vault/rewrap", null);
            Assert.Equal(0, (await one.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("addressesResealed").GetInt32());

            Assert.Equal(HttpStatusCode.OK, (await app.Http.DeleteAsync($"api/customers/{ids[2]}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Resolve(app, "sip-call-id", canary.SipCallId)).StatusCode);
            logs.AddRange(app.Logs.Lines);
        }

        await using (var last = await SiloApp.StartAsync(retired, store.Path))
        {
            // Sealed under k2 only now: they open without the legacy key, and each address still finds its customer.
            await AssertHeldAsync(last, ids[..2], sent[..2]);
            Assert.Equal(ids[0], await CustomerOf(await Resolve(last, "sms", canary.Phone)));
            Assert.Equal(ids[1], await CustomerOf(await Resolve(last, "whatsapp", canary.WhatsAppId)));
            Assert.Equal(HttpStatusCode.NotFound, (await last.Http.GetAsync($"api/customers/{ids[2]}")).StatusCode);
            logs.AddRange(last.Logs.Lines);
        }

        Assert.NotEmpty(logs);
        Assert.Null(canary.FoundIn(string.Join('\n', logs)));
        await AssertNothingAtRestAsync(canary, store.Path, redis);
    }

    /// <summary>No form of any canary value in a Redis key or value (every key dumped) or in a store file's name or bytes.</summary>
    private static async Task AssertNothingAtRestAsync(Canary canary, string storePath, RedisServer? redis) =>
        Assert.Null(await canary.FoundAtRestAsync(storePath, redis));

    private static async Task AssertHeldAsync(SiloApp app, string[] ids, (string Channel, string? Kind, string Address, string HeldKind, string HeldValue)[] sent)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            var customer = await app.Http.GetFromJsonAsync<JsonElement>($"api/customers/{ids[i]}");
            var address = Assert.Single(customer.GetProperty("addresses").EnumerateArray());
            Assert.Equal(sent[i].HeldKind, address.GetProperty("kind").GetString());
            Assert.Equal(sent[i].HeldValue, address.GetProperty("value").GetString());
        }
    }

    private static Task<HttpResponseMessage> Resolve(SiloApp app, string channel, string address) =>
        app.Http.GetAsync($"api/customers/resolve?channel={channel}&address={Uri.EscapeDataString(address)}");

    private static async Task<string?> CustomerOf(HttpResponseMessage resolved)
    {
        resolved.EnsureSuccessStatusCode();
        return (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
    }

}

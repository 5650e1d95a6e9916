using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Addressing;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Sms;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests.Security;

/// <summary>
/// Outbound recipients at rest, through the real webhook endpoints of the real engine (embedded log and redis-server):
/// a WhatsApp sender and an SMS sender post signed webhooks (each twice, as a provider redelivers), the replies reach the
/// Graph API and SMS provider stand-ins addressed to the right number exactly once, the admin listing still shows the
/// number's last digits, and a WhatsApp delivery receipt (matched by the provider's message id, routed by the number)
/// still updates the entry. Neither number is then in a store file, a Redis key or value, or a log line.
/// </summary>
public sealed class RecipientSealingTests
{
    private const string SmsToken = "sms-auth-token-0123";

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task Replies_reach_the_number_once_and_the_number_is_nowhere_at_rest(string storeKind)
    {
        using var store = new TempDirectory();
        await using var redis = storeKind == "redis" ? await RedisServer.StartAsync() : null;
        await using var graph = await GraphStandIn.StartAsync();
        await using var sms = await ProviderStandIn.StartAsync();
        var extra = new Dictionary<string, string?>
        {
            ["Sms:AuthToken"] = SmsToken,
            ["Sms:AccountSid"] = "AC0123456789",
            ["Sms:ApiBaseUrl"] = sms.BaseUrl,
            ["Sms:From"] = "+15550100001",
        };
        if (redis is not null) extra["ConnectionStrings:Redis"] = redis.ConnectionString;
        var canary = new Canary();
        var logs = new List<string>();

        await using (var app = await SiloApp.StartAsync(Wire.Settings(graph.BaseUrl, extra), store.Path,
                         b => b.Services.AddSingleton<IConversationEngineProvider, ScriptedEngine>()))
        {
            var whatsApp = Wire.Text(canary.WhatsAppId, "wamid.in.canary.1", "flight_status");
            var smsForm = new Dictionary<string, string>
            {
                ["MessageSid"] = "SM" + new string('7', 32), ["AccountSid"] = "AC0123456789", ["From"] = canary.Phone,
                ["To"] = "+15550100001", ["Body"] = "flight_status", ["NumMedia"] = "0",
            };
            for (var copy = 0; copy < 2; copy++)
            {
                Assert.Equal(HttpStatusCode.OK, (await Wire.PostSigned(app.Http, whatsApp)).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await PostSms(app, smsForm)).StatusCode);
            }
            await Wire.Eventually(async () => (await Wire.Outbox(app.Http, "&status=sent")).Count == 2, "both replies sent");

            // Addressed to the right numbers, once each.
            var wa = Assert.Single(graph.Accepted);
            Assert.Equal(canary.WhatsAppId, wa.Body["to"]!.GetValue<string>());
            Assert.Empty(wa.Violations);
            Assert.Equal("Your flight SW 123 is on time.", wa.Body["text"]!["body"]!.GetValue<string>());
            var text = Assert.Single(sms.Requests);
            Assert.Equal(canary.Phone, QueryHelpers.ParseQuery(text.Body)["To"].ToString());

            // The listing still shows the last digits of each number (it opens the sealed recipient to mask it).
            var listed = await Wire.Outbox(app.Http);
            Assert.Equal(2, listed.Count);
            var waEntry = listed.Single(m => m!["channel"]!.GetValue<string>() == "whatsapp")!;
            var smsEntry = listed.Single(m => m!["channel"]!.GetValue<string>() == "sms")!;
            Assert.EndsWith(canary.WhatsAppId[^4..], waEntry["recipient"]!.GetValue<string>());
            Assert.EndsWith(canary.Phone[^4..], smsEntry["recipient"]!.GetValue<string>());
            Assert.Null(canary.FoundIn(listed.ToJsonString()));

            // An operator's message to the SMS customer (the outbox dispatcher's path, not the reply's): the same number.
            var resolved = await app.Http.GetAsync($"/api/customers/resolve?channel=sms&address={Uri.EscapeDataString(canary.Phone)}");
            var smsCustomer = (await Wire.Json(resolved))["customerId"]!.ToString();
            var queued = await app.Http.PostAsJsonAsync("/api/outbox", new
            {
                tenant = "airline", customerId = smsCustomer, channel = "sms", purpose = "transactional", text = "Your gate changed.", idempotencyKey = "gate-1",
            });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
            await Wire.Eventually(() => Task.FromResult(sms.Requests.Count == 2), "the operator's message sent");
            Assert.All(sms.Requests, r => Assert.Equal(canary.Phone, QueryHelpers.ParseQuery(r.Body)["To"].ToString()));

            // A receipt names the number and the provider's message id: it still finds the entry.
            var wamid = waEntry["providerMessageId"]!.GetValue<string>();
            var receipt = WhatsAppWebhookPost.Status(canary.WhatsAppId, wamid, "delivered", DateTimeOffset.UtcNow);
            Assert.Equal(HttpStatusCode.OK, (await Wire.PostSigned(app.Http, receipt)).StatusCode);
            await Wire.Eventually(async () => (await Wire.Outbox(app.Http, "&channel=whatsapp&status=delivered")).Count == 1, "the receipt recorded");
            logs.AddRange(app.Logs.Lines);
        }

        // Still once each after the stop: nothing was left pending to send again.
        Assert.Single(graph.Accepted);
        Assert.Equal(2, sms.Requests.Count);
        Assert.NotEmpty(logs);
        Assert.Null(canary.FoundIn(string.Join('\n', logs)));
        Assert.Null(await canary.FoundAtRestAsync(store.Path, redis));
    }

    /// <summary>
    /// A journal written before recipients were sealed: a reply recorded with a clear WhatsApp id (as the channel gave it
    /// then) and left pending by a stop is sent after the next start, to that number, once, and listed with its last digits.
    /// </summary>
    [Fact]
    public async Task A_pending_reply_with_a_clear_recipient_from_an_old_journal_is_sent_once()
    {
        using var store = new TempDirectory();
        await using var graph = await GraphStandIn.StartAsync();
        var wa = new Canary().WhatsAppId;
        await using (var first = await SiloApp.StartAsync(Wire.Settings(graph.BaseUrl), store.Path,
                         b => b.Services.AddSingleton<IConversationEngineProvider, ScriptedEngine>()))
        {
            // Straight to the customer grain, as an older channel did: the route holds the number itself, and no
            // dispatcher is handed the reply, so it stays pending in the journal.
            var rules = new TurnRules([], [], [], "", "", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5),
                Route: new ReplyRoute(wa, OutboundDelivery.Dispatch, Wire.PhoneNumberId), ReplyNeedsWindow: true);
            var turn = new InboundTurn("airline", Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, wa), "wamid.old.1",
                "flight_status", null, DateTimeOffset.UtcNow, rules);
            var result = await first.App.Services.GetRequiredService<TurnCalls>().ReceiveAsync(turn);
            Assert.Equal(wa, Assert.IsType<OutboxEntry>(result.Outbound).Message.Recipient);
            Assert.Empty(graph.Requests);
        }

        await using var second = await SiloApp.StartAsync(Wire.Settings(graph.BaseUrl), store.Path,
            b => b.Services.AddSingleton<IConversationEngineProvider, ScriptedEngine>());
        await Wire.Eventually(async () => (await Wire.Outbox(second.Http, "&channel=whatsapp&status=sent")).Count == 1, "the old pending reply sent");
        var dispatcher = second.App.Services.GetRequiredService<ReplyDispatcher>();
        await Wire.Eventually(() => Task.FromResult(dispatcher.InFlight == 0), "the dispatcher idle");
        var sent = Assert.Single(graph.Accepted);
        Assert.Equal(wa, sent.Body["to"]!.GetValue<string>());
        var listed = Assert.Single(await Wire.Outbox(second.Http, "&channel=whatsapp"))!;
        Assert.Equal(new string('*', wa.Length - 4) + wa[^4..], listed["recipient"]!.GetValue<string>());
    }

    private static async Task<HttpResponseMessage> PostSms(SiloApp app, Dictionary<string, string> form)
    {
        var url = new Uri(app.BaseAddress, "/webhooks/sms").ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sms") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(SmsToken, url, form));
        return await app.Http.SendAsync(request);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Switchboard.Channels.Rcs;
using Switchboard.Channels.Sms;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Channels.Tests;

public sealed class SmsAndRcsTests
{
    private const string SmsToken = "sms-auth-token-0123";
    private const string RcsToken = "rcs-client-token-0123";

    private static Task<SiloApp> Start(ProviderStandIn provider) => Wire.StartAsync(null, new()
    {
        ["Sms:AuthToken"] = SmsToken,
        ["Sms:AccountSid"] = "AC0123456789",
        ["Sms:ApiBaseUrl"] = provider.BaseUrl,
        ["Rcs:ClientToken"] = RcsToken,
        ["Rcs:AccessToken"] = "rbm-bearer",
        ["Rcs:AgentId"] = "skyways-agent",
        ["Rcs:ApiBaseUrl"] = provider.BaseUrl,
    });

    private static async Task<HttpResponseMessage> PostSms(SiloApp silo, Dictionary<string, string> form, string token = SmsToken)
    {
        var url = new Uri(silo.BaseAddress, "/webhooks/sms").ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sms") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(token, url, form));
        return await silo.Http.SendAsync(request);
    }

    private static Dictionary<string, string> Sms(string from, string sid, string body) => new()
    {
        ["MessageSid"] = sid, ["AccountSid"] = "AC0123456789", ["From"] = from, ["To"] = "+15550100001", ["Body"] = body, ["NumMedia"] = "0",
    };

    private static async Task<HttpResponseMessage> PostRcs(SiloApp silo, object userMessage, string token = RcsToken)
    {
        var data = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(userMessage));
        var envelope = new { message = new { data = Convert.ToBase64String(data), messageId = "pubsub-1", publishTime = DateTimeOffset.UtcNow }, subscription = "projects/x/subscriptions/y" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/rcs") { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(envelope), Encoding.UTF8, "application/json") };
        request.Headers.Add(RcsWebhook.SignatureHeader, RcsWebhook.Sign(token, data));
        return await silo.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_signed_sms_is_answered_through_the_provider_api_once()
    {
        await using var provider = await ProviderStandIn.StartAsync();
        await using var silo = await Start(provider);
        var form = Sms("+919844400001", "SM00000000000000000000000000000001", "menu");
        var r = await PostSms(silo, form);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("<Response>", await r.Content.ReadAsStringAsync());
        await PostSms(silo, form);
        await Wire.Eventually(async () => (await Wire.Outbox(silo.Http, "&channel=sms&status=sent")).Count == 1, "SMS reply sent");
        var sent = Assert.Single(provider.Requests);
        Assert.Equal("/2010-04-01/Accounts/AC0123456789/Messages.json", sent.PathAndQuery);
        Assert.StartsWith("Basic ", sent.Authorization);
        var fields = QueryHelpers.ParseQuery(sent.Body);
        Assert.Equal("+919844400001", fields["To"].ToString());
        Assert.Equal("+15550100001", fields["From"].ToString());
        Assert.Equal("What would you like to do?\n1) Flight status\n2) Baggage\n3) Talk to agent\nReply with a number.", fields["Body"].ToString());
    }

    [Fact]
    public async Task A_wrong_sms_signature_is_401_and_stores_nothing()
    {
        await using var provider = await ProviderStandIn.StartAsync();
        await using var silo = await Start(provider);
        var r = await PostSms(silo, Sms("+919844400002", "SM00000000000000000000000000000002", "hi"), token: "wrong-token-000000");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync("/api/customers/resolve?channel=sms&address=%2B919844400002")).StatusCode);
    }

    [Fact]
    public async Task Sms_stop_revokes_every_purpose_and_later_replies_are_refused_until_start()
    {
        await using var provider = await ProviderStandIn.StartAsync();
        await using var silo = await Start(provider);
        const string from = "+919844400003";
        await PostSms(silo, Sms(from, "SM00000000000000000000000000000010", "hello"));
        var stop = await PostSms(silo, Sms(from, "SM00000000000000000000000000000011", "Stop"));
        Assert.Equal("answered", stop.Headers.GetValues("X-Switchboard-Outcome").Single());
        var after = await PostSms(silo, Sms(from, "SM00000000000000000000000000000012", "are you there?"));
        Assert.Equal("refused", after.Headers.GetValues("X-Switchboard-Outcome").Single());
        var start = await PostSms(silo, Sms(from, "SM00000000000000000000000000000013", "START"));
        Assert.Equal("answered", start.Headers.GetValues("X-Switchboard-Outcome").Single());
        await Wire.Eventually(() => Task.FromResult(provider.Requests.Count == 3), "hello reply, STOP and START confirmations");
        var bodies = provider.Requests.Select(r => QueryHelpers.ParseQuery(r.Body)["Body"].ToString()).ToList();
        Assert.Contains(SmsWebhook.OptOutReply, bodies);
        Assert.Contains(SmsWebhook.OptInReply, bodies);
    }

    [Fact]
    public async Task Rcs_setup_handshake_and_a_signed_message_answered_with_suggestions()
    {
        await using var provider = await ProviderStandIn.StartAsync();
        await using var silo = await Start(provider);
        var setup = await silo.Http.PostAsync("/webhooks/rcs", new StringContent($"{{\"clientToken\":\"{RcsToken}\",\"secret\":\"s3cr3t\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal("s3cr3t", (await Wire.Json(setup))["secret"]!.ToString());

        var bad = await PostRcs(silo, new { senderPhoneNumber = "+919855500001", messageId = "rcs-1", agentId = "skyways-agent", text = "menu" }, token: "wrong-token-00000");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);

        var ok = await PostRcs(silo, new { senderPhoneNumber = "+919855500001", messageId = "rcs-1", agentId = "skyways-agent", text = "menu" });
        Assert.Equal("answered", (await Wire.Json(ok))["outcome"]!.ToString());
        await Wire.Eventually(() => Task.FromResult(provider.Requests.Count == 1), "RBM send");
        var sent = provider.Requests.Single();
        Assert.StartsWith("/v1/phones/+919855500001/agentMessages?messageId=", sent.PathAndQuery);
        Assert.EndsWith("&agentId=skyways-agent", sent.PathAndQuery);
        var suggestions = JsonNode.Parse(sent.Body)!["contentMessage"]!["suggestions"]!.AsArray();
        Assert.Equal(["Flight status", "Baggage", "Talk to agent"], suggestions.Select(s => s!["reply"]!["text"]!.ToString()).ToArray());

        var choice = await PostRcs(silo, new { senderPhoneNumber = "+919855500001", messageId = "rcs-2", agentId = "skyways-agent",
            suggestionResponse = new { postbackData = "flight_status", text = "Flight status", type = "REPLY" } });
        Assert.Equal("answered", (await Wire.Json(choice))["outcome"]!.ToString());
        await Wire.Eventually(() => Task.FromResult(provider.Requests.Count == 2), "second RBM send");
        Assert.Contains("on time", provider.Requests.Last().Body);

        // The same customer across SMS and RCS: one phone number, one customer.
        var id = (await Wire.Json(await silo.Http.GetAsync("/api/customers/resolve?channel=rcs&address=%2B919855500001")))["customerId"]!.ToString();
        Assert.StartsWith("c-", id);
    }

    [Fact]
    public void Sms_encoding_counts_gsm7_and_ucs2_segments()
    {
        Assert.Equal(SmsAlphabet.Gsm7, SmsEncoding.AlphabetOf("Hello @ £5 {ok}"));
        Assert.Equal(SmsAlphabet.Ucs2, SmsEncoding.AlphabetOf("Hello ✈"));
        Assert.Equal(1, SmsEncoding.Segments(new string('a', 160)));
        Assert.Equal(2, SmsEncoding.Segments(new string('a', 161)));
        Assert.Equal(2, SmsEncoding.Segments(new string('a', 159) + "€")); // € takes two septets
        Assert.Equal(1, SmsEncoding.Segments(new string('a', 69) + "✈"));
        Assert.Equal(2, SmsEncoding.Segments(new string('a', 70) + "✈"));
        Assert.Equal(3, SmsEncoding.Segments(new string('a', 135) + "✈")); // 136 UCS-2 units: 67 per part
    }

    [Fact]
    public void Sms_renderer_stays_in_gsm7_where_it_can_and_within_the_segment_cap()
    {
        var r = SmsRenderer.Render(new EngineReply("It’s on time — gate 12…", ReplyStyle.Card, Card: new ReplyCard("SW 123", "DEL → BOM")));
        Assert.Equal(SmsAlphabet.Gsm7, r.Alphabet);
        Assert.Equal("SW 123 - DEL > BOM\nIt's on time - gate 12...", r.Text);
        var call = SmsRenderer.Render(new EngineReply("Call us.", Action: new ReplyAction(ReplyActionKind.CallUs)), voiceNumber: "+15550100000", callCode: "123456");
        Assert.EndsWith("Call +15550100000 and key *123456#", call.Text);
        var longText = SmsRenderer.Render(new EngineReply(string.Concat(Enumerable.Repeat("word ", 400))), maxSegments: 3);
        Assert.Equal(3, longText.Segments);
        Assert.EndsWith("...", longText.Text);
        var emoji = SmsRenderer.Render(new EngineReply(string.Concat(Enumerable.Repeat("✈ fly ", 100))), maxSegments: 2);
        Assert.Equal(SmsAlphabet.Ucs2, emoji.Alphabet);
        Assert.True(emoji.Segments <= 2);
    }

    [Fact]
    public void Rcs_renderer_uses_suggestions_within_limits_and_numbered_text_beyond()
    {
        var three = RcsRenderer.Render(new EngineReply("Pick", ReplyStyle.QuickReplies, [new("a", "One"), new("b", "Two")]), "+15550100000");
        Assert.Equal(2, three["contentMessage"]!["suggestions"]!.AsArray().Count);
        var tooLong = RcsRenderer.Render(new EngineReply("Pick", ReplyStyle.QuickReplies, [new("a", new string('x', 26))]));
        Assert.Null(tooLong["contentMessage"]!["suggestions"]);
        Assert.Contains("1. xxxx", tooLong["contentMessage"]!["text"]!.ToString());
        var twelve = RcsRenderer.Render(new EngineReply("Pick", ReplyStyle.List, Enumerable.Range(1, 12).Select(i => new ReplyOption($"o{i}", $"Option {i}")).ToList()));
        Assert.Contains("12. Option 12", twelve["contentMessage"]!["text"]!.ToString());
        var call = RcsRenderer.Render(new EngineReply("Call", Action: new ReplyAction(ReplyActionKind.CallUs)), "+15550100000", "654321");
        Assert.Equal("+15550100000", call["contentMessage"]!["suggestions"]![0]!["action"]!["dialAction"]!["phoneNumber"]!.ToString());
        Assert.Contains("*654321#", call["contentMessage"]!["text"]!.ToString());
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.Channels.Tests;

public sealed class WhatsAppWebhookTests(WhatsAppFixture fx) : IClassFixture<WhatsAppFixture>
{
    private HttpClient Http => fx.Silo.Http;

    [Fact]
    public async Task Verification_handshake_echoes_the_challenge_only_for_our_token()
    {
        var ok = await Http.GetAsync($"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={Wire.VerifyToken}&hub.challenge=1158201444");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());
        var bad = await Http.GetAsync("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444");
        Assert.Equal(HttpStatusCode.Forbidden, bad.StatusCode);
    }

    [Fact]
    public async Task Wrong_or_missing_signature_is_401_and_nothing_is_stored()
    {
        const string wa = "919811100001";
        var json = Wire.Own("text.json", wa, "sig");
        var wrong = await Wire.PostSigned(Http, json, secret: "not-the-app-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var unsigned = await Http.PostAsync("/webhooks/whatsapp", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        // Signed over other bytes: a re-serialised body must not pass.
        var tampered = json.Replace("\"body\"", "\"body\" ", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        using var req = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new StringContent(tampered, Encoding.UTF8, "application/json") };
        req.Headers.Add(WhatsAppSignature.Header, WhatsAppSignature.Sign(Wire.AppSecret, bytes));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(req)).StatusCode);

        Assert.Null(await Wire.CustomerId(Http, wa));
        Assert.DoesNotContain(await Wire.Outbox(Http), m => m!["recipient"]!.ToString().EndsWith("0001", StringComparison.Ordinal) && m["summary"]!.ToString().Contains("my flight", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_json_is_400_and_a_foreign_object_is_400()
    {
        var broken = await Wire.PostSigned(Http, "{\"object\":\"whatsapp_business_account\",\"entry\":[{");
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("malformed-json", await broken.Content.ReadAsStringAsync());
        var foreign = await Wire.PostSigned(Http, "{\"object\":\"page\",\"entry\":[]}");
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var huge = Wire.Text("919811100002", "wamid.huge", new string('a', 300 * 1024));
        var r = await Wire.PostSigned(Http, huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Null(await Wire.CustomerId(Http, "919811100002"));
    }

    [Fact]
    public async Task Unknown_message_types_are_acknowledged_and_ignored()
    {
        const string wa = "919811100003";
        var json = Wire.Text(wa, "wamid.unknown.1", "x").Replace("\"type\":\"text\"", "\"type\":\"contacts\"", StringComparison.Ordinal);
        var r = await Wire.PostSigned(Http, json);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var report = await Wire.Json(r);
        Assert.Equal(1, report["ignored"]!.GetValue<int>());
        Assert.Equal(0, report["messages"]!.GetValue<int>());
        Assert.Null(await Wire.CustomerId(Http, wa));
    }

    [Fact]
    public async Task A_redelivered_message_is_processed_once_and_answered_once()
    {
        const string wa = "919811100004";
        var json = Wire.Text(wa, "wamid.dup.1", "hello there");
        var first = await Wire.Json(await Wire.PostSigned(Http, json));
        var second = await Wire.Json(await Wire.PostSigned(Http, json));
        Assert.Equal(0, first["duplicates"]!.GetValue<int>());
        Assert.Equal(1, second["duplicates"]!.GetValue<int>());

        await Wire.Eventually(() => Task.FromResult(fx.Graph.To(wa).Any()), "the reply reaches the Graph API");
        var id = await Wire.CustomerId(Http, wa);
        var transcript = await Wire.Json(await Http.GetAsync($"/api/customers/{id}/transcript"));
        Assert.Equal(2, transcript["turns"]!.AsArray().Count);
        var sent = await Wire.Outbox(Http, "&channel=whatsapp");
        Assert.Single(sent, m => m!["customerId"]!.ToString() == id);
        Assert.Single(fx.Graph.To(wa));
    }

    [Theory]
    [InlineData("text.json", "You said: Hi, I missed my connection")]
    [InlineData("button_reply.json", "You said: Yes, 4:00 PM")]
    [InlineData("list_reply.json", "You said: AI 131 16:00")]
    [InlineData("template_button.json", "You said: Book service")]
    [InlineData("location.json", "You said:")]
    [InlineData("image.json", "You said: image")]
    public async Task Every_message_shape_reaches_the_engine_and_is_answered(string sample, string replyStart)
    {
        var wa = "9198112" + Math.Abs(sample.GetHashCode() % 100000).ToString("D5");
        var r = await Wire.PostSigned(Http, Wire.Own(sample, wa, "shape"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var report = await Wire.Json(r);
        Assert.Equal(1, report["messages"]!.GetValue<int>());
        await Wire.Eventually(() => Task.FromResult(fx.Graph.To(wa).Any()), "reply to " + sample);
        var reply = fx.Graph.To(wa).First().Body;
        Assert.StartsWith(replyStart, reply["text"]!["body"]!.ToString());
        var id = await Wire.CustomerId(Http, wa);
        var transcript = (await Wire.Json(await Http.GetAsync($"/api/customers/{id}/transcript")))["turns"]!.AsArray();
        Assert.Equal("inbound", transcript[0]!["direction"]!.ToString());
    }

    [Fact]
    public async Task A_reaction_is_recorded_but_not_answered()
    {
        const string wa = "919811100005";
        var r = await Wire.Json(await Wire.PostSigned(Http, Wire.Own("reaction.json", wa, "react")));
        Assert.Equal(1, r["messages"]!.GetValue<int>());
        Assert.Equal(0, r["repliesQueued"]!.GetValue<int>());
        var id = await Wire.CustomerId(Http, wa);
        var transcript = (await Wire.Json(await Http.GetAsync($"/api/customers/{id}/transcript")))["turns"]!.AsArray();
        Assert.Contains(transcript, t => t!["text"]!.ToString().StartsWith("[reaction", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_of_two_senders_creates_two_customers_and_two_replies()
    {
        var json = Wire.Own("batch_two_messages.json", "919811100006", "batch").Replace("919800000002", "919811100007", StringComparison.Ordinal);
        var r = await Wire.Json(await Wire.PostSigned(Http, json));
        Assert.Equal(2, r["messages"]!.GetValue<int>());
        Assert.NotEqual(await Wire.CustomerId(Http, "919811100006"), await Wire.CustomerId(Http, "919811100007"));
        await Wire.Eventually(() => Task.FromResult(fx.Graph.To("919811100006").Any() && fx.Graph.To("919811100007").Any()), "both replies");
    }

    [Fact]
    public async Task Statuses_are_recorded_against_the_outbound_message_in_any_order_once()
    {
        const string wa = "919811100008";
        var delivered = "wamid.stat.HBgMOTE5ODAwMDAwMDAxFQIAERgSQjA3QzE5QzI0QjlCMzQ1AA==";
        fx.Graph.NextIds(delivered);
        await Wire.PostSigned(Http, Wire.Text(wa, "wamid.stat.in", "hi"));
        await Wire.Eventually(async () => (await Wire.Outbox(Http, "&status=sent")).Any(m => m!["providerMessageId"]?.ToString() == delivered), "reply sent");

        var statuses = Wire.Own("statuses.json", wa, "stat");
        var first = await Wire.Json(await Wire.PostSigned(Http, statuses));
        Assert.Equal(2, first["statuses"]!.GetValue<int>()); // delivered + read for our message; the failed one names a message we never sent
        var again = await Wire.Json(await Wire.PostSigned(Http, statuses));
        Assert.Equal(0, again["statuses"]!.GetValue<int>());

        var entry = (await Wire.Outbox(Http)).Single(m => m!["providerMessageId"]?.ToString() == delivered)!;
        Assert.Equal("read", entry["status"]!.ToString());
        Assert.Equal(["queued", "sent", "delivered", "read"], entry["history"]!.AsArray().Select(h => h!["status"]!.ToString()).ToArray());
    }

    [Fact]
    public async Task Replies_match_the_cloud_api_schema_and_limits()
    {
        const string wa = "919811100009";
        foreach (var (word, i) in new[] { "menu", "list", "card", "call", "web" }.Select((w, i) => (w, i)))
            await Wire.PostSigned(Http, Wire.Text(wa, $"wamid.schema.{i}", word));
        await Wire.Eventually(() => Task.FromResult(fx.Graph.To(wa).Count() >= 7), "all replies");
        var sent = fx.Graph.To(wa).ToList();
        Assert.All(sent, s => Assert.Empty(s.Violations));
        Assert.All(sent, s => Assert.Equal($"/v21.0/{Wire.PhoneNumberId}/messages", s.Path));
        Assert.All(sent, s => Assert.Equal("Bearer test-graph-token", s.Authorization));
        Assert.Contains(sent, s => s.Body["interactive"]?["type"]?.ToString() == "button");
        // 11 rows do not fit a list: numbered text.
        Assert.Contains(sent, s => s.Body["text"]?["body"]?.ToString().Contains("11. Row 11", StringComparison.Ordinal) == true);
        var call = sent.Single(s => s.Body["interactive"]?["action"]?["parameters"]?["url"]?.ToString().StartsWith("tel:", StringComparison.Ordinal) == true);
        Assert.Equal("tel:" + Wire.VoiceNumber, call.Body["interactive"]!["action"]!["parameters"]!["url"]!.ToString());
        Assert.Matches(@"key \*\d{6}#", call.Body["interactive"]!["body"]!["text"]!.ToString());
        var web = sent.Single(s => s.Body["interactive"]?["action"]?["parameters"]?["url"]?.ToString().Contains("/chat?token=", StringComparison.Ordinal) == true);
        Assert.StartsWith(fx.Silo.BaseAddress.ToString().TrimEnd('/'), web.Body["interactive"]!["action"]!["parameters"]!["url"]!.ToString());
    }

    [Fact]
    public async Task The_call_code_beside_the_call_button_joins_the_same_customer_from_a_withheld_number()
    {
        const string wa = "919811100010";
        await Wire.PostSigned(Http, Wire.Text(wa, "wamid.code.1", "call"));
        await Wire.Eventually(() => Task.FromResult(fx.Graph.To(wa).Any(s => s.Body["type"]?.ToString() == "interactive")), "call button");
        var text = fx.Graph.To(wa).First(s => s.Body["type"]?.ToString() == "interactive").Body["interactive"]!["body"]!["text"]!.ToString();
        var code = System.Text.RegularExpressions.Regex.Match(text, @"\*(\d{6})#").Groups[1].Value;
        var grains = (Orleans.IGrainFactory)fx.Silo.App.Services.GetService(typeof(Orleans.IGrainFactory))!;
        var ingress = grains.GetGrain<Switchboard.Grains.Interfaces.Conversation.IConversationIngressGrain>(0);
        var joined = await ingress.JoinWithCallCode("airline", code, new(Switchboard.Grains.Interfaces.Identity.AddressKind.SipCallId, "call-abc@sbc"));
        Assert.Equal(await Wire.CustomerId(Http, wa), joined);
        Assert.Null(await ingress.JoinWithCallCode("airline", code, new(Switchboard.Grains.Interfaces.Identity.AddressKind.SipCallId, "call-def@sbc")));
    }

    [Fact]
    public async Task The_phone_number_id_written_to_picks_the_tenant_and_replies_go_from_it()
    {
        const string wa = "919811100011";
        var json = Wire.Text(wa, "wamid.tenant.1", "hello torque").Replace(Wire.PhoneNumberId, "109876543299", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Wire.PostSigned(Http, json)).StatusCode);
        Assert.Null(await Wire.CustomerId(Http, wa));
        var r = await Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={wa}&tenant=autoservice");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await Wire.Eventually(() => Task.FromResult(fx.Graph.To(wa).Any()), "reply");
        Assert.Equal("/v21.0/109876543299/messages", fx.Graph.To(wa).Single().Path);
    }
}

using System.Text.Json.Nodes;
using Switchboard.Channels.WhatsApp;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Tests;

public sealed class WhatsAppRendererTests
{
    private static List<ReplyOption> Options(int n, int titleLength = 8) =>
        Enumerable.Range(1, n).Select(i => new ReplyOption($"opt_{i}", (i + new string('x', titleLength))[..titleLength])).ToList();

    private static void AssertValid(WhatsAppRendering r)
    {
        foreach (var m in r.Messages)
        {
            var body = new JsonObject { ["messaging_product"] = "whatsapp", ["to"] = "919800000001" };
            foreach (var (k, v) in JsonNode.Parse(m.ToJsonString())!.AsObject().ToList()) body[k] = v?.DeepClone();
            Assert.Empty(CloudApiSchema.Check(body));
        }
    }

    [Fact]
    public void Three_short_options_become_reply_buttons()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick one", ReplyStyle.QuickReplies, Options(3)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("button", m["interactive"]!["type"]!.ToString());
        Assert.Equal(3, m["interactive"]!["action"]!["buttons"]!.AsArray().Count);
        AssertValid(r);
    }

    [Fact]
    public void Four_options_become_a_list()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick one", ReplyStyle.QuickReplies, Options(4)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("list", m["interactive"]!["type"]!.ToString());
        Assert.Equal(4, m["interactive"]!["action"]!["sections"]![0]!["rows"]!.AsArray().Count);
        AssertValid(r);
    }

    [Fact]
    public void A_21_character_title_does_not_fit_a_button_and_becomes_a_list_row()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick one", ReplyStyle.QuickReplies, Options(2, 21)));
        Assert.Equal("list", Assert.Single(r.Messages)["interactive"]!["type"]!.ToString());
        AssertValid(r);
    }

    [Fact]
    public void A_25_character_title_fits_nothing_and_becomes_numbered_text()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick one", ReplyStyle.QuickReplies, Options(2, 25)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("text", m["type"]!.ToString());
        Assert.Contains("2. 2xxxx", m["text"]!["body"]!.ToString());
        AssertValid(r);
    }

    [Fact]
    public void Eleven_rows_become_numbered_text()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick a row", ReplyStyle.List, Options(11)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("text", m["type"]!.ToString());
        var body = m["text"]!["body"]!.ToString();
        Assert.Contains("1. 1xxxxxxx", body);
        Assert.Contains("11. 11xxxxxx", body);
        AssertValid(r);
    }

    [Fact]
    public void Ten_rows_fit_a_list()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick a row", ReplyStyle.List, Options(10)));
        Assert.Equal("list", Assert.Single(r.Messages)["interactive"]!["type"]!.ToString());
        AssertValid(r);
    }

    [Fact]
    public void A_2000_character_body_with_buttons_goes_first_as_text_then_the_buttons_with_a_short_prompt()
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox. ", 100))[..2000];
        var r = WhatsAppRenderer.Render(new EngineReply(text, ReplyStyle.QuickReplies, Options(3)));
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal(text.Trim(), r.Messages[0]["text"]!["body"]!.ToString());
        Assert.Equal(WhatsAppRenderer.ChooseShortBody, r.Messages[1]["interactive"]!["body"]!["text"]!.ToString());
        AssertValid(r);
    }

    [Fact]
    public void A_5000_character_text_is_split_at_word_boundaries_under_4096()
    {
        var text = string.Concat(Enumerable.Repeat("word ", 1000));
        var r = WhatsAppRenderer.Render(new EngineReply(text));
        Assert.Equal(2, r.Messages.Count);
        Assert.All(r.Messages, m => Assert.InRange(m["text"]!["body"]!.ToString().Length, 1, 4096));
        Assert.Equal(text.Trim(), string.Join(' ', r.Messages.Select(m => m["text"]!["body"]!.ToString())));
        AssertValid(r);
    }

    [Fact]
    public void Duplicate_titles_cannot_be_buttons()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Pick", ReplyStyle.QuickReplies, [new("a", "Same"), new("b", "Same")]));
        Assert.Equal("list", Assert.Single(r.Messages)["interactive"]!["type"]!.ToString());
    }

    [Fact]
    public void Call_us_adds_a_tel_button_with_the_call_code()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("An agent will help.", Action: new ReplyAction(ReplyActionKind.CallUs)),
            new WhatsAppRenderContext("+15550100000", "123456"));
        Assert.Equal(2, r.Messages.Count);
        var cta = r.Messages[1]["interactive"]!;
        Assert.Equal("cta_url", cta["type"]!.ToString());
        Assert.Equal("tel:+15550100000", cta["action"]!["parameters"]!["url"]!.ToString());
        Assert.Contains("*123456#", cta["body"]!["text"]!.ToString());
        AssertValid(r);
    }

    [Fact]
    public void A_card_becomes_formatted_text_with_its_facts()
    {
        var r = WhatsAppRenderer.Render(new EngineReply("Booked.", ReplyStyle.Card, Card: new ReplyCard("SW 123", "DEL → BOM", new Dictionary<string, string> { ["Gate"] = "12" })));
        var body = Assert.Single(r.Messages)["text"]!["body"]!.ToString();
        Assert.Equal("*SW 123*\nDEL → BOM\n• Gate: 12\n\nBooked.", body);
    }
}

using System.Text.Json.Nodes;
using Switchboard.Channels.WhatsApp;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Tests;

/// <summary>The Graph API request body, now written in one pass: the same JSON the former JSON-tree version built.</summary>
public sealed class WhatsAppRequestBodyTests
{
    /// <summary>The former construction: a JSON tree with the envelope first, the message's fields moved in after it.</summary>
    private static string TreeBody(string recipient, string messageJson)
    {
        var message = JsonNode.Parse(messageJson)!.AsObject();
        var body = new JsonObject { ["messaging_product"] = "whatsapp", ["recipient_type"] = "individual", ["to"] = recipient };
        foreach (var (k, v) in message.ToList())
        {
            message.Remove(k);
            body[k] = v;
        }
        return body.ToJsonString();
    }

    public static TheoryData<string> Messages()
    {
        var options = Enumerable.Range(1, 12).Select(i => new ReplyOption($"opt_{i}", $"Option {i} ✓")).ToList();
        var data = new TheoryData<string>();
        foreach (var reply in new[]
                 {
                     new EngineReply("Hello \"there\" <b>& ünïcode</b> 👋"),
                     new EngineReply("Pick one", ReplyStyle.QuickReplies, options.Take(3).ToList()),
                     new EngineReply("Pick one of many", ReplyStyle.QuickReplies, options),
                 })
            foreach (var m in WhatsAppRenderer.Render(reply, new WhatsAppRenderContext(null)).Messages)
                data.Add(m.ToJsonString());
        // A message that names an envelope field keeps the envelope's position with its own value.
        data.Add("""{"type":"text","to":"override","text":{"body":"x"},"recipient_type":"group"}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void The_body_is_the_envelope_then_the_message(string messageJson)
    {
        Assert.Equal(TreeBody("919800000001", messageJson), WhatsAppCloudApi.RequestBody("919800000001", messageJson));
    }

    [Fact]
    public void A_message_that_is_not_an_object_is_refused()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => WhatsAppCloudApi.RequestBody("919800000001", "[1,2]"));
    }
}

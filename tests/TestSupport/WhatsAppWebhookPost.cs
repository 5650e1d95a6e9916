using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.TestSupport;

/// <summary>A WhatsApp Cloud API webhook as Meta delivers it: a text message payload, posted with its HMAC signature.</summary>
public static class WhatsAppWebhookPost
{
    public const string DefaultPhoneNumberId = "109876543210";

    public static string Text(string waId, string messageId, string body, DateTimeOffset? at = null, string phoneNumberId = DefaultPhoneNumberId) =>
        Delivery(phoneNumberId, new JsonObject
        {
            ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Test" }, ["wa_id"] = waId }),
            ["messages"] = new JsonArray(new JsonObject
            {
                ["from"] = waId,
                ["id"] = messageId,
                ["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(),
                ["type"] = "text",
                ["text"] = new JsonObject { ["body"] = body },
            }),
        });

    /// <summary>
    /// A status notification for a message the business sent (<c>sent</c>, <c>delivered</c>, <c>read</c>, <c>failed</c>;
    /// a failure carries Meta's error 131026 "Message undeliverable").
    /// </summary>
    public static string Status(string waId, string messageId, string status, DateTimeOffset at, string phoneNumberId = DefaultPhoneNumberId)
    {
        var s = new JsonObject { ["id"] = messageId, ["status"] = status, ["timestamp"] = at.ToUnixTimeSeconds().ToString(), ["recipient_id"] = waId };
        if (status == "failed")
            s["errors"] = new JsonArray(new JsonObject { ["code"] = 131026, ["title"] = "Message undeliverable", ["message"] = "Message undeliverable" });
        return Delivery(phoneNumberId, new JsonObject { ["statuses"] = new JsonArray(s) });
    }

    /// <summary>The envelope Meta wraps a change in: one entry, one <c>messages</c> change for the business number.</summary>
    private static string Delivery(string phoneNumberId, JsonObject change)
    {
        // In Meta's order: the product and the business number first, then the contacts, messages or statuses.
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject { ["display_phone_number"] = "15550100000", ["phone_number_id"] = phoneNumberId },
        };
        foreach (var (name, node) in change.ToList())
        {
            change.Remove(name);
            value[name] = node;
        }
        return new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "102290129340398",
                ["changes"] = new JsonArray(new JsonObject { ["field"] = "messages", ["value"] = value }),
            }),
        }.ToJsonString();
    }

    /// <summary>Posts <paramref name="json"/> to <c>/webhooks/whatsapp</c> with <c>X-Hub-Signature-256</c> computed with <paramref name="appSecret"/>.</summary>
    public static async Task<HttpResponseMessage> PostSignedAsync(HttpClient http, string json, string appSecret)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WhatsAppSignature.Header, WhatsAppSignature.Sign(appSecret, bytes));
        return await http.SendAsync(request);
    }
}

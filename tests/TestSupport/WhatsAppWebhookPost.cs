using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.WhatsApp;

namespace Switchboard.TestSupport;

/// <summary>A WhatsApp Cloud API webhook as Meta delivers it: a text message payload, posted with its HMAC signature.</summary>
public static class WhatsAppWebhookPost
{
    public const string DefaultPhoneNumberId = "109876543210";

    public static string Text(string waId, string messageId, string body, DateTimeOffset? at = null, string phoneNumberId = DefaultPhoneNumberId) => new JsonObject
    {
        ["object"] = "whatsapp_business_account",
        ["entry"] = new JsonArray(new JsonObject
        {
            ["id"] = "102290129340398",
            ["changes"] = new JsonArray(new JsonObject
            {
                ["field"] = "messages",
                ["value"] = new JsonObject
                {
                    ["messaging_product"] = "whatsapp",
                    ["metadata"] = new JsonObject { ["display_phone_number"] = "15550100000", ["phone_number_id"] = phoneNumberId },
                    ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Test" }, ["wa_id"] = waId }),
                    ["messages"] = new JsonArray(new JsonObject
                    {
                        ["from"] = waId,
                        ["id"] = messageId,
                        ["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(),
                        ["type"] = "text",
                        ["text"] = new JsonObject { ["body"] = body },
                    }),
                },
            }),
        }),
    }.ToJsonString();

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

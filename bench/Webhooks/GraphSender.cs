using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench.Webhooks;

/// <summary>How the two bench handlers send their reply: <c>POST {base}/v21.0/{phone-number-id}/messages</c> with a bearer token, as the Cloud API wants.</summary>
public sealed class GraphSender(HttpClient http)
{
    public async Task SendTextAsync(string to, string text)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = to,
            ["type"] = "text",
            ["text"] = new Dictionary<string, string> { ["body"] = text },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v21.0/{SignedWebhook.PhoneNumberId}/messages")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SignedWebhook.AccessToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Sms;

/// <summary>Sends SMS through the provider's REST API (<c>POST /2010-04-01/Accounts/{sid}/Messages.json</c>, form-encoded, basic auth).</summary>
public sealed class SmsApi(IHttpClientFactory http, SmsOptions options, ILogger<SmsApi> logger, RecipientSeal recipients) : IOutboundChannel
{
    public const string HttpClientName = "sms-provider";

    public Channel Channel => Channel.Sms;

    public OutboundDelivery Delivery => options.HasApi ? OutboundDelivery.Dispatch : OutboundDelivery.LocalOnly;

    public string RecipientFor(string e164) => recipients.Seal(e164);

    public string ComposeText(string text) => new JsonObject { ["body"] = SmsEncoding.Fit(SmsRenderer.ToGsmWherePossible(text), options.MaxSegments) }.ToJsonString();

    public string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters) => null;

    public async Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!options.HasApi) return SendOutcome.Failed("no SMS provider credentials configured");
        var from = entry.Message.Sender ?? options.From;
        if (string.IsNullOrWhiteSpace(from)) return SendOutcome.Failed("no sending number (Sms:From)");
        var body = JsonNode.Parse(entry.Message.Body)?["body"]?.ToString() ?? "";
        string to;
        try { to = recipients.Open(entry.Message.Recipient); }
        catch (System.Security.Cryptography.CryptographicException e) { return SendOutcome.Failed(e.Message); }
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{options.ApiBaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid!)}/Messages.json")
        {
            Content = new FormUrlEncodedContent([new("To", to), new("From", from), new("Body", body)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.AccountSid}:{options.AuthToken}")));
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Retry(e.GetType().Name);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                string? sid = null;
                try { sid = JsonDocument.Parse(text).RootElement.GetProperty("sid").GetString(); } catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
                return SendOutcome.Sent(sid);
            }
            var error = $"HTTP {(int)response.StatusCode}";
            logger.LogWarning("SMS provider refused outbox entry {EntryId}: {Error}", entry.Id, error);
            return response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                ? SendOutcome.Retry(error, response.Headers.RetryAfter?.Delta)
                : SendOutcome.Failed(error);
        }
    }
}

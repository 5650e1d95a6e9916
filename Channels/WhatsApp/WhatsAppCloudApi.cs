using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.WhatsApp;

/// <summary>
/// Sends outbox entries through <c>POST {base}/{version}/{phone-number-id}/messages</c>. The HTTP client retries 429/5xx a
/// few times (resilience handler); what still fails goes back to the outbox, which retries with a longer backoff.
/// A token bucket per business number keeps us under Meta's throughput tier.
/// </summary>
public sealed class WhatsAppCloudApi : IOutboundChannel, IDisposable
{
    public const string HttpClientName = "whatsapp-graph";

    // Meta's codes for "slow down" (throughput, pair rate, spam rate) are retried, not failed.
    private static readonly HashSet<int> RetryableCodes = [4, 80007, 130429, 131048, 131056, 133016];

    private readonly IHttpClientFactory _http;
    private readonly WhatsAppOptions _options;
    private readonly ILogger<WhatsAppCloudApi> _logger;
    private readonly PartitionedRateLimiter<string> _perNumber;
    private readonly RecipientSeal _recipients;

    public WhatsAppCloudApi(IHttpClientFactory http, WhatsAppOptions options, ILogger<WhatsAppCloudApi> logger, RecipientSeal recipients)
    {
        _recipients = recipients;
        _http = http;
        _options = options;
        _logger = logger;
        _perNumber = PartitionedRateLimiter.Create<string, string>(number => RateLimitPartition.GetTokenBucketLimiter(number, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.MaxSendsPerSecond,
            TokensPerPeriod = options.MaxSendsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 100_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
    }

    public Channel Channel => Channel.WhatsApp;

    public OutboundDelivery Delivery => _options.HasApi ? OutboundDelivery.Dispatch : OutboundDelivery.LocalOnly;

    public string RecipientFor(string e164) => _recipients.Seal(e164.TrimStart('+'));

    public string ComposeText(string text) => WhatsAppRenderer.Text(text).ToJsonString();

    public string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters) =>
        WhatsAppRenderer.Template(name, language, parameters).ToJsonString();

    /// <summary>The full Graph API request body: the rendered message plus product, recipient type and recipient.</summary>
    public static string RequestBody(string recipient, string messageJson)
    {
        var message = JsonNode.Parse(messageJson)!.AsObject();
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = recipient,
        };
        foreach (var (k, v) in message.ToList())
        {
            message.Remove(k);
            body[k] = v;
        }
        return body.ToJsonString();
    }

    public async Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!_options.HasApi) return SendOutcome.Failed("no WhatsApp access token configured");
        var sender = entry.Message.Sender ?? _options.PhoneNumberId;
        if (string.IsNullOrWhiteSpace(sender)) return SendOutcome.Failed("no sending phone-number id (WhatsApp:PhoneNumberId)");

        using var lease = await _perNumber.AcquireAsync(sender, 1, cancellationToken);
        if (!lease.IsAcquired) return SendOutcome.Retry("local send rate limit queue is full", TimeSpan.FromSeconds(1));

        string to;
        try { to = _recipients.Open(entry.Message.Recipient); }
        catch (System.Security.Cryptography.CryptographicException e) { return SendOutcome.Failed(e.Message); }
        var client = _http.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_options.ApiBaseUrl.TrimEnd('/')}/{_options.ApiVersion}/{Uri.EscapeDataString(sender)}/messages")
        {
            Content = new StringContent(RequestBody(to, entry.Message.Body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                  && !cancellationToken.IsCancellationRequested)
        {
            // Ambiguous: Meta may have accepted it. Retrying risks a duplicate, dropping risks a lost reply; we retry.
            return SendOutcome.Retry(e.GetType().Name);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var id = TryRead(text, r => r.GetProperty("messages")[0].GetProperty("id").GetString());
                return SendOutcome.Sent(id);
            }
            var code = TryRead(text, r => r.GetProperty("error").GetProperty("code").GetInt32().ToString());
            var error = $"HTTP {(int)response.StatusCode}" + (code is null ? "" : $" code {code}");
            _logger.LogWarning("Graph API refused outbox entry {EntryId}: {Error}", entry.Id, error);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                || (code is not null && RetryableCodes.Contains(int.Parse(code))))
                return SendOutcome.Retry(error, retryAfter);
            return SendOutcome.Failed(error);
        }
    }

    private static string? TryRead(string json, Func<JsonElement, string?> read)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return read(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            return null;
        }
    }

    public void Dispose() => _perNumber.Dispose();
}

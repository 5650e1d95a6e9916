using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
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
    public static string RequestBody(string recipient, string messageJson) => Encoding.UTF8.GetString(RequestBodyUtf8(recipient, messageJson));

    private static readonly string[] EnvelopeKeys = ["messaging_product", "recipient_type", "to"];

    /// <summary>
    /// <see cref="RequestBody"/> as UTF-8, written in one pass (no JSON tree): the envelope's three fields first, then the
    /// message's own fields in their order; a message field with an envelope name takes the envelope field's place.
    /// </summary>
    public static byte[] RequestBodyUtf8(string recipient, string messageJson)
    {
        using var message = JsonDocument.Parse(messageJson);
        var root = message.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("A rendered WhatsApp message is a JSON object.");
        var buffer = new ArrayBufferWriter<byte>(messageJson.Length + 96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            string[] defaults = ["whatsapp", "individual", recipient];
            for (var i = 0; i < EnvelopeKeys.Length; i++)
            {
                if (root.TryGetProperty(EnvelopeKeys[i], out var own))
                {
                    json.WritePropertyName(EnvelopeKeys[i]);
                    own.WriteTo(json);
                }
                else
                    json.WriteString(EnvelopeKeys[i], defaults[i]);
            }
            foreach (var property in root.EnumerateObject())
                if (Array.IndexOf(EnvelopeKeys, property.Name) < 0) property.WriteTo(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{base}/{version}/{sender}/messages</c>, parsed once per sending number (a handful per deployment).</summary>
    private Uri MessagesUri(string sender)
    {
        var (apiBase, version) = (_options.ApiBaseUrl, _options.ApiVersion);
        if (_uris.TryGetValue(sender, out var known) && ReferenceEquals(known.Base, apiBase) && ReferenceEquals(known.Version, version))
            return known.Uri;
        var uri = new Uri($"{apiBase.TrimEnd('/')}/{version}/{Uri.EscapeDataString(sender)}/messages");
        if (_uris.Count < MaxCachedSenders) _uris[sender] = (apiBase, version, uri);
        return uri;
    }

    private const int MaxCachedSenders = 1024;
    private readonly ConcurrentDictionary<string, (string Base, string Version, Uri Uri)> _uris = new(StringComparer.Ordinal);
    private static readonly MediaTypeHeaderValue JsonUtf8 = new("application/json") { CharSet = "utf-8" };

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
        var content = new ByteArrayContent(RequestBodyUtf8(to, entry.Message.Body));
        content.Headers.ContentType = JsonUtf8;
        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUri(sender)) { Content = content };
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
            var text = await response.Content.ReadAsByteArrayAsync(cancellationToken);
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

    private static string? TryRead(byte[] json, Func<JsonElement, string?> read)
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

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchboard.Addressing;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Channels.Rcs;

/// <summary>
/// Sends through <c>POST /v1/phones/{E164}/agentMessages?messageId=…&amp;agentId=…</c>. The message id is derived from the
/// outbox entry, so a retry after an ambiguous failure is deduplicated by Google (409 counts as sent).
/// 404 means the device cannot receive RCS: failed, for a journey to fall back to SMS.
/// </summary>
public sealed class RcsApi(IHttpClientFactory http, RcsOptions options, ILogger<RcsApi> logger, RecipientSeal recipients) : IOutboundChannel
{
    public const string HttpClientName = "rcs-rbm";

    public Channel Channel => Channel.Rcs;

    public OutboundDelivery Delivery => options.HasApi ? OutboundDelivery.Dispatch : OutboundDelivery.LocalOnly;

    public string RecipientFor(string e164) => recipients.Seal(e164);

    public string ComposeText(string text) => RcsRenderer.Render(new EngineReply(text)).ToJsonString();

    public string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters) => null;

    public static string MessageIdFor(string entryId) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes(entryId))).ToString();

    public async Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!options.HasApi) return SendOutcome.Failed("no RBM access token or agent id configured");
        var messageId = MessageIdFor(entry.Id);
        string to;
        try { to = recipients.Open(entry.Message.Recipient); }
        catch (CryptographicException e) { return SendOutcome.Failed(e.Message); }
        var url = $"{options.ApiBaseUrl.TrimEnd('/')}/v1/phones/{Uri.EscapeDataString(to)}/agentMessages?messageId={messageId}&agentId={Uri.EscapeDataString(options.AgentId!)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(entry.Message.Body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.AccessToken);
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
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict) return SendOutcome.Sent(messageId);
            var error = response.StatusCode == HttpStatusCode.NotFound ? "HTTP 404 (not RCS-capable)" : $"HTTP {(int)response.StatusCode}";
            logger.LogWarning("RBM API refused outbox entry {EntryId}: {Error}", entry.Id, error);
            return response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                ? SendOutcome.Retry(error, response.Headers.RetryAfter?.Delta)
                : SendOutcome.Failed(error);
        }
    }

    /// <summary>The body stored in the outbox is the contentMessage itself; a test or journey can read it back.</summary>
    public static JsonObject? Content(string body) => JsonNode.Parse(body) as JsonObject;
}

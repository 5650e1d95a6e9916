using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Dialog.Definition;

namespace Switchboard.Dialog;

/// <summary>The outcome of a flow's backend call: the result fields for <c>{result.x}</c>, or why it failed.</summary>
public sealed record ActionOutcome(bool Ok, IReadOnlyDictionary<string, string> Result, string? Failure);

/// <summary>
/// Calls a bot's backend over HTTP for a flow action, with the flow's timeout. The body carries the slot values as the
/// engine holds them (tokenized). A JSON object answer becomes <c>{result.field}</c> values; <c>"ok": false</c> is a failure.
/// </summary>
public sealed class DialogBackend(HttpClient http, TimeProvider time)
{
    public async Task<ActionOutcome> CallAsync(Uri backend, HttpActionDefinition action, IReadOnlyDictionary<string, object?> body, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(action.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var uri = new Uri(backend.AbsoluteUri.TrimEnd('/') + "/" + action.Path.TrimStart('/'));
        try
        {
            using var request = new HttpRequestMessage(action.Method == "GET" ? HttpMethod.Get : HttpMethod.Post, action.Method == "GET" ? WithQuery(uri, body) : uri);
            if (action.Method != "GET") request.Content = JsonContent.Create(body);
            using var response = await http.SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode) return new ActionOutcome(false, Empty, $"status {(int)response.StatusCode}");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (response.Content.Headers.ContentLength is not 0)
            {
                using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(linked.Token), default, linked.Token);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                    foreach (var p in doc.RootElement.EnumerateObject())
                        if (p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                            result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            if (result.TryGetValue("ok", out var ok) && ok == "false") return new ActionOutcome(false, result, "backend said no");
            return new ActionOutcome(true, result, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new ActionOutcome(false, Empty, $"timeout after {action.Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        }
        catch (HttpRequestException e)
        {
            return new ActionOutcome(false, Empty, "unreachable: " + (e.HttpRequestError.ToString()));
        }
        catch (JsonException)
        {
            return new ActionOutcome(false, Empty, "the answer was not JSON");
        }
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static Uri WithQuery(Uri uri, IReadOnlyDictionary<string, object?> body)
    {
        var slots = body.TryGetValue("slots", out var s) && s is IReadOnlyDictionary<string, string> d ? d : new Dictionary<string, string>();
        var query = string.Join('&', slots.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        return query.Length == 0 ? uri : new Uri(uri.AbsoluteUri + (uri.Query.Length > 0 ? "&" : "?") + query);
    }
}

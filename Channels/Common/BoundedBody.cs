using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Channels.Common;

/// <summary>Reads a request body up to a limit: the raw bytes (for signatures) or JSON, with a 413 or 400 problem instead of an exception.</summary>
public static class BoundedBody
{
    public readonly record struct Outcome<T>(T? Value, IResult? Problem)
    {
        public bool Ok => Problem is null;
    }

    public static async Task<Outcome<byte[]>> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken ct = default)
    {
        if (request.ContentLength is { } declared && declared > maxBytes) return new(null, Problems.TooLarge(maxBytes));
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is { } n && n > 0 ? (int)n : 1024);
        var stream = request.Body;
        while (true)
        {
            var span = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(span, ct);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes) return new(null, Problems.TooLarge(maxBytes));
        }
        return new(buffer.WrittenSpan.ToArray(), null);
    }

    public static async Task<Outcome<T>> ReadJsonAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions? options = null, CancellationToken ct = default)
        where T : class
    {
        if (!(request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
            return new(null, Problems.UnsupportedMediaType("Send the body as application/json."));
        var bytes = await ReadBytesAsync(request, maxBytes, ct);
        if (!bytes.Ok) return new(null, bytes.Problem);
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes.Value, options ?? JsonDefaults.Web);
            return value is null ? new(null, Problems.BadRequest("malformed-json", "The body is empty or null.")) : new(value, null);
        }
        catch (JsonException e)
        {
            return new(null, Problems.BadRequest("malformed-json", $"The body is not valid JSON for this call: {e.Message}"));
        }
    }
}

public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}

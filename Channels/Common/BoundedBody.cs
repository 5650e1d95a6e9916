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
        var stream = request.Body;
        if (request.ContentLength is { } length and > 0)
        {
            // The declared length (Kestrel ends the body there): read straight into an array of that size, no copy.
            var exact = new byte[length];
            var filled = 0;
            while (filled < exact.Length)
            {
                var got = await stream.ReadAsync(exact.AsMemory(filled), ct);
                if (got == 0) break;
                filled += got;
            }
            return new(filled == exact.Length ? exact : exact[..filled], null);
        }
        var buffer = new ArrayBufferWriter<byte>(1024);
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

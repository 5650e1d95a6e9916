using Microsoft.AspNetCore.Http;

namespace Switchboard.Bench.Webhooks;

/// <summary>Reads a webhook body whole (bounded: a Cloud API delivery is a few KB), for signature checks over the exact bytes.</summary>
public static class WebhookBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContext context)
    {
        var buffer = new MemoryStream(context.Request.ContentLength is > 0 and <= MaxBytes ? (int)context.Request.ContentLength : 4096);
        var chunk = new byte[4096];
        int n;
        while ((n = await context.Request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + n > MaxBytes) throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, n);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}

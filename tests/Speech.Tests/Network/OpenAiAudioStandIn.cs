using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NAudio.Wave;

namespace Switchboard.Speech.Tests.Network;

/// <summary>
/// A speech server in the customer's network (a remote service: none runs here), as a stand-in speaking the OpenAI audio
/// API: <c>POST /v1/audio/transcriptions</c> (multipart: <c>file</c>, <c>model</c>, <c>language</c>) answers
/// <c>{"text": …}</c> with <see cref="Transcript"/>; <c>POST /v1/audio/speech</c> (JSON: <c>model</c>, <c>input</c>,
/// <c>voice</c>, <c>response_format</c>) answers a 24 kHz 16-bit mono WAV of <see cref="SpeechSeconds"/> of tone.
/// <see cref="Mode"/> makes it fail (500) or hold every request open until the test ends.
/// </summary>
public sealed class OpenAiAudioStandIn : IAsyncDisposable
{
    public enum Behaviour { Answer, Fail, Hold }

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Behaviour Mode { get; set; } = Behaviour.Answer;
    public string Transcript { get; set; } = "";
    public double SpeechSeconds { get; set; } = 1.0;
    public string Url { get; private set; } = "";

    /// <summary>Each transcription request: its form fields and the uploaded file's bytes.</summary>
    public ConcurrentQueue<(Dictionary<string, string> Fields, byte[] File)> Transcriptions { get; } = new();

    /// <summary>Each speech request's JSON body.</summary>
    public ConcurrentQueue<JsonElement> SpeechRequests { get; } = new();

    private OpenAiAudioStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/audio/transcriptions", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            using var file = new MemoryStream();
            if (form.Files["file"] is { } upload) await upload.CopyToAsync(file);
            Transcriptions.Enqueue((form.ToDictionary(f => f.Key, f => f.Value.ToString()), file.ToArray()));
            if (await Misbehave(http)) return;
            await http.Response.WriteAsJsonAsync(new { text = Transcript });
        });
        _app.MapPost("/v1/audio/speech", async (HttpContext http) =>
        {
            SpeechRequests.Enqueue((await JsonDocument.ParseAsync(http.Request.Body)).RootElement.Clone());
            if (await Misbehave(http)) return;
            http.Response.ContentType = "audio/wav";
            await http.Response.Body.WriteAsync(Tone(SpeechSeconds));
        });
    }

    public static async Task<OpenAiAudioStandIn> StartAsync()
    {
        var standIn = new OpenAiAudioStandIn();
        await standIn._app.StartAsync();
        standIn.Url = standIn._app.Urls.First();
        return standIn;
    }

    /// <summary>A WAV of a 440 Hz tone at 24 kHz (the OpenAI speech API's rate).</summary>
    public static byte[] Tone(double seconds)
    {
        using var memory = new MemoryStream();
        using (var writer = new WaveFileWriter(memory, new WaveFormat(24_000, 16, 1)))
        {
            var samples = (int)(seconds * 24_000);
            for (var i = 0; i < samples; i++) writer.WriteSample((float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 24_000.0)));
        }
        return memory.ToArray();
    }

    private async Task<bool> Misbehave(HttpContext http)
    {
        switch (Mode)
        {
            case Behaviour.Fail:
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "model not loaded", type = "server_error" } });
                return true;
            case Behaviour.Hold:
                // Open until the client gives up (its timeout) or the test ends.
                await Task.WhenAny(_released.Task, Task.Delay(Timeout.Infinite, http.RequestAborted));
                return true;
            default:
                return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        await _app.DisposeAsync();
    }
}

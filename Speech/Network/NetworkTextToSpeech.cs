using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Switchboard.Speech.Network;

#pragma warning disable MEAI001 // Microsoft.Extensions.AI's speech abstractions are marked experimental in 10.11.

/// <summary>
/// Synthesis by a speech server in the customer's network (<see cref="NetworkSpeechOptions"/>) through
/// <see cref="ITextToSpeechClient"/>: one WAV per prompt, resampled to telephone audio. When the server fails or has not
/// answered within <see cref="NetworkSpeechOptions.SynthesisTimeoutSeconds"/>, the embedded voice speaks the prompt
/// instead, so a call never waits on an absent server for longer than that.
/// </summary>
public sealed class NetworkTextToSpeech(ITextToSpeech embedded, ITextToSpeechClient client, NetworkSpeechOptions options, ILogger logger) : ITextToSpeech
{
    /// <summary>Samples per chunk handed to the caller (0.5 s).</summary>
    private const int ChunkSamples = Audio.TelephoneAudio.SampleRate / 2;

    private readonly BoundedServerCalls _calls = new(options.SynthesisTimeoutSeconds, logger, "Network speech synthesis failed; the embedded voice spoke");

    /// <summary>The embedded voice that speaks when the server does not.</summary>
    public ITextToSpeech Embedded => embedded;

    public string Engine => "network+" + embedded.Engine;

    public string DefaultVoice => options.Voice;

    public bool IsAvailable => true;

    public string? UnavailableReason => null;

    /// <summary>Any name: the server decides what its voices are called (and the embedded voice speaks when it fails).</summary>
    public bool HasVoice(string voice) => !string.IsNullOrWhiteSpace(voice);

    /// <summary>Prompts the server's audio answered.</summary>
    public long Answered => _calls.Answered;

    /// <summary>Prompts the embedded voice spoke because the server failed or was too slow.</summary>
    public long FellBack => _calls.FellBack;

    public async IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var audio = await TrySynthesizeAsync(text, voice ?? options.Voice, cancellationToken);
        if (audio is not null)
        {
            for (var at = 0; at < audio.Length; at += ChunkSamples)
                yield return audio[at..Math.Min(audio.Length, at + ChunkSamples)];
            yield break;
        }
        // The server's voice names mean nothing to the embedded engine: it speaks with its own default then, unless the
        // name is one of its own (a persona naming a flite voice).
        var local = voice is not null && voice != options.Voice && embedded.HasVoice(voice) ? voice : null;
        await foreach (var chunk in embedded.SynthesizeAsync(text, local, cancellationToken)) yield return chunk;
    }

    private Task<short[]?> TrySynthesizeAsync(string text, string voice, CancellationToken cancellationToken) => _calls.TryAsync<short[]>(async bounded =>
    {
        var response = await client.GetAudioAsync(text, new TextToSpeechOptions
        {
            ModelId = options.TextToSpeechModel,
            VoiceId = voice,
            AudioFormat = "wav",
        }, bounded);
        var data = response.Contents.OfType<DataContent>().FirstOrDefault()
            ?? throw new FormatException("The server's answer holds no audio.");
        var samples = TelephoneWav.DecodeToTelephone(data.Data);
        return samples.Length == 0 ? throw new FormatException("The server's audio is empty.") : samples;
    }, cancellationToken);
}

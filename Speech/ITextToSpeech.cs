namespace Switchboard.Speech;

/// <summary>
/// Speech synthesis to telephone audio: 8 kHz, 16-bit, mono PCM, streamed in chunks so the first one can be played
/// while the rest is being synthesised. The embedded engines are espeak-ng and flite; a network engine can implement
/// the same contract.
/// </summary>
public interface ITextToSpeech
{
    /// <summary>Engine name for logs and the prompt cache key ("espeak-ng", "flite").</summary>
    string Engine { get; }

    /// <summary>Voice used when a request names none (espeak-ng "en-us", flite "kal").</summary>
    string DefaultVoice { get; }

    bool IsAvailable { get; }

    string? UnavailableReason { get; }

    /// <summary>
    /// Whether <see cref="SynthesizeAsync"/> can speak in <paramref name="voice"/> (a tenant persona names one). A speech
    /// server decides its own voice names, so a network engine says yes to any.
    /// </summary>
    bool HasVoice(string voice);

    /// <summary>Synthesises <paramref name="text"/>; each chunk is 8 kHz PCM, in order. Cancelling stops synthesis early.</summary>
    IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, CancellationToken cancellationToken = default);
}

/// <summary>Reads a whole synthesis into one buffer.</summary>
public static class TextToSpeechExtensions
{
    public static async ValueTask<short[]> SynthesizeAllAsync(this ITextToSpeech tts, string text, string? voice = null, CancellationToken cancellationToken = default)
    {
        var all = new List<short>();
        await foreach (var chunk in tts.SynthesizeAsync(text, voice, cancellationToken)) all.AddRange(chunk);
        return [.. all];
    }
}

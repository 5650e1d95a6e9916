namespace Switchboard.Telephony.Media;

/// <summary>
/// Turns the engine's speakable text into telephone audio: 8 kHz, 16-bit, mono PCM. The voice channel encodes it to
/// G.711 and paces it out. Implementations: pre-recorded WAV files (the DTMF-only default) and text-to-speech.
/// </summary>
public interface IPromptAudio
{
    ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same audio in pieces as they become ready, so playback can start on the first (text-to-speech streams sentence
    /// by sentence). By default the whole prompt in one piece.
    /// </summary>
    IAsyncEnumerable<short[]> StreamAsync(string speakableText, CancellationToken cancellationToken = default) =>
        PromptAudioStreams.Whole(this, speakableText, cancellationToken);

    /// <summary>
    /// The same prompts spoken in <paramref name="voice"/> (a tenant persona's), or null when this source has no such
    /// voice. Recorded prompts have the one voice they were recorded in, so by default null.
    /// </summary>
    IPromptAudio? InVoice(string voice) => null;
}

/// <summary>Helpers for <see cref="IPromptAudio"/>.</summary>
public static class PromptAudioStreams
{
    /// <summary>The whole rendered prompt as one piece.</summary>
    public static async IAsyncEnumerable<short[]> Whole(IPromptAudio prompts, string speakableText,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return await prompts.Render8kHzAsync(speakableText, cancellationToken).ConfigureAwait(false);
    }
}

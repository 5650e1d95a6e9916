namespace Switchboard.Telephony.Media;

/// <summary>
/// Turns the engine's speakable text into telephone audio: 8 kHz, 16-bit, mono PCM. The voice channel encodes it to
/// G.711 and paces it out. Implementations: pre-recorded WAV files (the DTMF-only default) and text-to-speech.
/// </summary>
public interface IPromptAudio
{
    ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default);
}

using Switchboard.Telephony.Media;

namespace Switchboard.Speech;

/// <summary>The voice channel's prompts spoken by text-to-speech (8 kHz PCM), through the prompt cache.</summary>
public sealed class TtsPromptAudio(ITextToSpeech tts, SynthesizedPromptCache cache) : IPromptAudio
{
    public bool IsAvailable => tts.IsAvailable;

    public ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default) =>
        cache.GetOrSynthesizeAsync(tts, speakableText, voice: null, cancellationToken);
}

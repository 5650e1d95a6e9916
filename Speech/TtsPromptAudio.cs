using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Switchboard.Telephony.Media;

namespace Switchboard.Speech;

/// <summary>
/// The voice channel's prompts spoken by text-to-speech (8 kHz PCM), through the prompt cache. Streamed sentence by
/// sentence: the first sentence is synthesised and played while the rest is made (flite synthesises a whole utterance
/// before its first sample, so a long reply would otherwise wait for all of it). Each sentence is cached on its own, so
/// a greeting's first sentence plays from the cache even when the rest of the reply is new.
/// </summary>
public sealed partial class TtsPromptAudio(ITextToSpeech tts, SynthesizedPromptCache cache) : IPromptAudio
{
    public bool IsAvailable => tts.IsAvailable;

    public ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default) =>
        cache.GetOrSynthesizeAsync(tts, speakableText, voice: null, cancellationToken);

    public async IAsyncEnumerable<short[]> StreamAsync(string speakableText, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var sentence in Sentences(speakableText))
        {
            var audio = await cache.GetOrSynthesizeAsync(tts, sentence, voice: null, cancellationToken).ConfigureAwait(false);
            if (audio.Length > 0) yield return audio;
        }
    }

    /// <summary>
    /// The sentences of a prompt, in order: split after <c>. ! ? ;</c> followed by white space (so "3.5" and "e.g."
    /// inside a word stay whole). A one-word fragment ("Sorry.") is kept with the sentence after it.
    /// </summary>
    public static IReadOnlyList<string> Sentences(string text)
    {
        var parts = SentenceEnd().Split(text.Trim()).Where(p => p.Length > 0).ToList();
        var sentences = new List<string>(parts.Count);
        var carry = "";
        foreach (var part in parts)
        {
            var sentence = carry.Length == 0 ? part : carry + " " + part;
            if (WordCount(sentence) < 2) carry = sentence;
            else
            {
                sentences.Add(sentence);
                carry = "";
            }
        }
        if (carry.Length > 0)
        {
            if (sentences.Count == 0) sentences.Add(carry);
            else sentences[^1] += " " + carry;
        }
        return sentences;
    }

    private static int WordCount(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@"(?<=[.!?;])\s+")]
    private static partial Regex SentenceEnd();
}

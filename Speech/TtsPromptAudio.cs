using System.Runtime.CompilerServices;
using Switchboard.Telephony.Media;

namespace Switchboard.Speech;

/// <summary>
/// The voice channel's prompts spoken by text-to-speech (8 kHz PCM), through the prompt cache. Streamed sentence by
/// sentence: the first sentence is synthesised and played while the rest is made (flite synthesises a whole utterance
/// before its first sample, so a long reply would otherwise wait for all of it). Each sentence is cached on its own, so
/// a greeting's first sentence plays from the cache even when the rest of the reply is new.
/// </summary>
/// <param name="voice">The voice to speak in; null: the synthesiser's default.</param>
public sealed class TtsPromptAudio(ITextToSpeech tts, SynthesizedPromptCache cache, string? voice = null) : IPromptAudio
{
    public bool IsAvailable => tts.IsAvailable;

    /// <summary>The voice these prompts are spoken in; null: the synthesiser's default.</summary>
    public string? Voice => voice;

    public ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default) =>
        cache.GetOrSynthesizeAsync(tts, speakableText, voice, cancellationToken);

    /// <summary>The same synthesiser and cache in <paramref name="voice"/>; null when the synthesiser lacks that voice.</summary>
    public IPromptAudio? InVoice(string voice) => tts.HasVoice(voice) ? new TtsPromptAudio(tts, cache, voice) : null;

    public async IAsyncEnumerable<short[]> StreamAsync(string speakableText, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var sentence in Sentences(speakableText))
        {
            var audio = await cache.GetOrSynthesizeAsync(tts, sentence, voice, cancellationToken).ConfigureAwait(false);
            if (audio.Length > 0) yield return audio;
        }
    }

    /// <summary>
    /// The sentences of a prompt, in order: split after <c>. ! ? ;</c> followed by white space (so "3.5" and "e.g."
    /// inside a word stay whole). A one-word fragment ("Sorry.") is kept with the sentence after it.
    /// </summary>
    public static IReadOnlyList<string> Sentences(string text)
    {
        // A scan instead of Regex.Split + LINQ (this runs for every prompt a call plays, cached or not): only the
        // sentences themselves are new strings, and a one-sentence prompt is the trimmed text.
        var rest = text.AsSpan().Trim();
        var sentences = new List<string>(2);
        string? carry = null;
        while (rest.Length > 0)
        {
            var end = SentenceEnd(rest, out var next);
            var part = rest[..end];
            rest = rest[next..];
            if (part.Length == 0) continue;
            var sentence = carry is null
                ? part.Length == text.Length ? text : part.ToString()
                : string.Concat(carry, " ", part);
            if (WordCount(sentence) < 2) carry = sentence;
            else
            {
                sentences.Add(sentence);
                carry = null;
            }
        }
        if (carry is not null)
        {
            if (sentences.Count == 0) sentences.Add(carry);
            else sentences[^1] += " " + carry;
        }
        return sentences;
    }

    /// <summary>
    /// Where the first sentence of <paramref name="s"/> ends (after <c>. ! ? ;</c> followed by white space, as the
    /// former regex <c>(?&lt;=[.!?;])\s+</c>) and where the next begins (after that white space); the whole span when none.
    /// </summary>
    private static int SentenceEnd(ReadOnlySpan<char> s, out int next)
    {
        for (var i = 0; i < s.Length - 1; i++)
        {
            if (s[i] is not ('.' or '!' or '?' or ';') || !char.IsWhiteSpace(s[i + 1])) continue;
            var j = i + 1;
            while (j < s.Length && char.IsWhiteSpace(s[j])) j++;
            next = j;
            return i + 1;
        }
        next = s.Length;
        return s.Length;
    }

    private static int WordCount(string s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
            if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) n++;
        return n;
    }
}

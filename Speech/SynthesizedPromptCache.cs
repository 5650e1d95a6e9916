using System.Runtime.CompilerServices;

namespace Switchboard.Speech;

/// <summary>
/// Keeps synthesised prompts (8 kHz PCM) by engine, voice and text, least recently used out first, within a budget of
/// samples. Greetings, menus and re-prompts repeat on every call, so most prompts play without synthesis. Prompts that
/// carry a customer's data should be streamed with <c>cache: false</c>: they would never repeat and should not linger.
/// </summary>
public sealed class SynthesizedPromptCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Engine, string Voice, string Text), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _byUse = []; // most recent first
    private long _samples;
    private long _hits;
    private long _misses;
    private long _syntheses;
    /// <summary>Syntheses in flight by key: callers asking for the same prompt meanwhile wait for that one.</summary>
    private readonly Dictionary<(string Engine, string Voice, string Text), Task<short[]>> _inFlight = [];

    public SynthesizedPromptCache(long maxSamples = 16_000_000) // ~33 minutes of audio, 32 MB
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        MaxSamples = maxSamples;
    }

    public long MaxSamples { get; }

    public long Samples { get { lock (_lock) return _samples; } }

    public int Count { get { lock (_lock) return _entries.Count; } }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Syntheses started by <see cref="GetOrSynthesizeAsync"/> (misses that joined one in flight are not counted again).</summary>
    public long Syntheses => Interlocked.Read(ref _syntheses);

    public bool TryGet(ITextToSpeech tts, string text, string? voice, out short[] audio)
    {
        var key = (tts.Engine, voice ?? tts.DefaultVoice, text);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _byUse.Remove(node);
                _byUse.AddFirst(node);
                audio = node.Value.Audio;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }
        audio = [];
        Interlocked.Increment(ref _misses);
        return false;
    }

    public void Put(ITextToSpeech tts, string text, string? voice, short[] audio)
    {
        if (audio.Length == 0 || audio.Length > MaxSamples) return;
        var key = (tts.Engine, voice ?? tts.DefaultVoice, text);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _byUse.Remove(existing);
                _samples -= existing.Value.Audio.Length;
            }
            var node = _byUse.AddFirst(new Entry(key, audio));
            _entries[key] = node;
            _samples += audio.Length;
            while (_samples > MaxSamples && _byUse.Last is { } oldest)
            {
                _byUse.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _samples -= oldest.Value.Audio.Length;
            }
        }
    }

    /// <summary>
    /// Streams a prompt: the cached audio in one chunk, or the engine's chunks as they come (kept for next time
    /// when <paramref name="cache"/> and the synthesis completes).
    /// </summary>
    public async IAsyncEnumerable<short[]> StreamAsync(ITextToSpeech tts, string text, string? voice = null, bool cache = true,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (cache && TryGet(tts, text, voice, out var cached))
        {
            yield return cached;
            yield break;
        }
        var all = cache ? new List<short>() : null;
        await foreach (var chunk in tts.SynthesizeAsync(text, voice, cancellationToken).ConfigureAwait(false))
        {
            all?.AddRange(chunk);
            yield return chunk;
        }
        if (all is not null) Put(tts, text, voice, [.. all]);
    }

    /// <summary>
    /// The cached prompt, else one synthesis shared by everyone asking for the same prompt meanwhile: when 1,000 calls
    /// reach the same menu at once they wait for one synthesis instead of running 1,000 (which took the cores and filled
    /// the large object heap with their buffers in the voice benchmark). A caller's cancellation stops its wait, not the
    /// shared synthesis; a failed synthesis is not cached and the next caller tries again.
    /// </summary>
    public async ValueTask<short[]> GetOrSynthesizeAsync(ITextToSpeech tts, string text, string? voice = null, CancellationToken cancellationToken = default)
    {
        if (TryGet(tts, text, voice, out var cached)) return cached;
        var key = (tts.Engine, voice ?? tts.DefaultVoice, text);
        Task<short[]> synthesis;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node)) return node.Value.Audio; // put while we missed
            if (!_inFlight.TryGetValue(key, out synthesis!))
            {
                Interlocked.Increment(ref _syntheses);
                synthesis = SynthesizeAndPutAsync(tts, text, voice, key);
                _inFlight[key] = synthesis;
            }
        }
        return await synthesis.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<short[]> SynthesizeAndPutAsync(ITextToSpeech tts, string text, string? voice, (string Engine, string Voice, string Text) key)
    {
        await Task.Yield(); // out of the caller's lock
        try
        {
            var audio = await tts.SynthesizeAllAsync(text, voice, CancellationToken.None).ConfigureAwait(false);
            Put(tts, text, voice, audio);
            return audio;
        }
        finally
        {
            lock (_lock) _inFlight.Remove(key);
        }
    }

    private sealed record Entry((string Engine, string Voice, string Text) Key, short[] Audio);
}

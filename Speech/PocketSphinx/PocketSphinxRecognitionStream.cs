using Switchboard.Speech.Audio;
using Switchboard.Speech.Grammar;
using static Switchboard.Speech.PocketSphinx.PocketSphinxNative;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>One utterance on a rented decoder. Decoding happens as frames arrive, so ending costs only the final search.</summary>
internal sealed class PocketSphinxRecognitionStream : IRecognitionStream
{
    /// <summary>Partial hypotheses are searched for at most this often (in 8 kHz samples: 100 ms), not on every frame.</summary>
    private const int PartialEverySamples = 800;

    private readonly PocketSphinxDecoder _decoder;
    private readonly SpeechGrammar _grammar;
    private readonly PocketSphinxDecoderPool _pool;
    private readonly Upsampler8To16 _upsampler = new();
    private short[] _wide = new short[2 * TelephoneAudio.FrameSamples];
    private long _samples;
    private long _samplesAtLastPartial;
    private string? _lastPartial;
    private bool _ended;
    private bool _returned;
    private bool _healthy = true;

    public PocketSphinxRecognitionStream(PocketSphinxDecoder decoder, SpeechGrammar grammar, PocketSphinxDecoderPool pool)
    {
        _decoder = decoder;
        _grammar = grammar;
        _pool = pool;
    }

    public ValueTask<PartialHypothesis?> FeedAsync(ReadOnlyMemory<short> pcm8kHz, CancellationToken cancellationToken = default)
    {
        if (_ended || _returned) throw new InvalidOperationException("The utterance has ended; begin a new one.");
        if (pcm8kHz.IsEmpty) return ValueTask.FromResult<PartialHypothesis?>(null);
        if (_wide.Length < pcm8kHz.Length * 2) _wide = new short[pcm8kHz.Length * 2];
        _upsampler.Process(pcm8kHz.Span, _wide);
        if (ps_process_raw(_decoder.Handle, _wide, (nuint)(pcm8kHz.Length * 2), 0, 0) < 0)
        {
            _healthy = false;
            throw new InvalidOperationException("pocketsphinx failed to process audio.");
        }
        _samples += pcm8kHz.Length;
        if (_samples - _samplesAtLastPartial < PartialEverySamples) return ValueTask.FromResult<PartialHypothesis?>(null);
        _samplesAtLastPartial = _samples;
        var text = Hypothesis(_decoder.Handle, out _);
        if (string.IsNullOrEmpty(text) || text == _lastPartial) return ValueTask.FromResult<PartialHypothesis?>(null);
        _lastPartial = text;
        return ValueTask.FromResult<PartialHypothesis?>(new PartialHypothesis(text));
    }

    public ValueTask<RecognitionResult> EndAsync(CancellationToken cancellationToken = default)
    {
        if (_ended || _returned) throw new InvalidOperationException("The utterance has already ended.");
        _ended = true;
        try
        {
            var audio = TelephoneAudio.Duration((int)Math.Min(int.MaxValue, _samples));
            if (ps_end_utt(_decoder.Handle) < 0)
            {
                _healthy = false;
                return ValueTask.FromResult(RecognitionResult.NoMatch(audio));
            }
            var text = Hypothesis(_decoder.Handle, out _)?.Trim() ?? "";
            if (text.Length == 0) return ValueTask.FromResult(RecognitionResult.NoMatch(audio));
            var posterior = logmath_exp(_decoder.LogMath, ps_get_prob(_decoder.Handle));
            var confidence = Math.Clamp(posterior, 0, 1);
            return ValueTask.FromResult(new RecognitionResult(text, _grammar.Interpret(text), confidence, audio));
        }
        finally
        {
            Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_ended && !_returned)
        {
            _ended = true;
            ps_end_utt(_decoder.Handle);
        }
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        if (_returned) return;
        _returned = true;
        _pool.Return(_decoder, _healthy);
    }
}

using Switchboard.Speech.Audio;
using Switchboard.Speech.Grammar;
using static Switchboard.Speech.PocketSphinx.PocketSphinxNative;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>
/// One utterance on a rented decoder. Decoding happens as frames arrive, so ending costs only the final search. With
/// rejection on, a second rented decoder runs a free phone loop over the same frames, so the check costs no wait at the end.
/// </summary>
internal sealed class PocketSphinxRecognitionStream : IRecognitionStream
{
    /// <summary>Partial hypotheses are searched for at most this often (in 8 kHz samples: 100 ms), not on every frame.</summary>
    private const int PartialEverySamples = 800;

    private readonly PocketSphinxDecoder _decoder;
    private readonly SpeechGrammar _grammar;
    private readonly PocketSphinxDecoderPool _pool;
    private readonly PocketSphinxSpeechToText _owner;
    private readonly double? _rejectionMargin;
    private readonly PocketSphinxDecoderPool? _phoneLoops; // where the phone loop's decoder goes back
    private readonly Upsampler8To16 _upsampler = new();
    private PocketSphinxDecoder? _phoneLoop; // the phone loop over the same frames, while the check can still be made
    private short[] _wide = new short[2 * TelephoneAudio.FrameSamples];
    private long _samples;
    private long _samplesAtLastPartial;
    private string? _lastPartial;
    private bool _ended;
    private bool _returned;
    private bool _healthy = true;

    public PocketSphinxRecognitionStream(PocketSphinxDecoder decoder, SpeechGrammar grammar, PocketSphinxDecoderPool pool, PocketSphinxSpeechToText owner,
        PocketSphinxDecoder? phoneLoop = null, PocketSphinxDecoderPool? phoneLoops = null, double? rejectionMargin = null)
    {
        _decoder = decoder;
        _grammar = grammar;
        _pool = pool;
        _owner = owner;
        _phoneLoop = phoneLoop;
        _phoneLoops = phoneLoops;
        _rejectionMargin = rejectionMargin;
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
        if (_phoneLoop is not null && ps_process_raw(_phoneLoop.Handle, _wide, (nuint)(pcm8kHz.Length * 2), 0, 0) < 0) DropPhoneLoop(healthy: false);
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
            var text = Hypothesis(_decoder.Handle, out var score)?.Trim() ?? "";
            if (text.Length == 0) return ValueTask.FromResult(RecognitionResult.NoMatch(audio));
            var confidence = Math.Clamp(logmath_exp(_decoder.LogMath, ps_get_prob(_decoder.Handle)), 0, 1);
            if (_rejectionMargin is { } margin && ScoreAgainstPhoneLoop(score) is { } gap)
            {
                // 0.5 at the margin, 1 where the grammar path scores as well as the free phone loop.
                confidence = Math.Clamp(1 + gap / (2 * margin), 0, 1);
                if (gap < -margin)
                {
                    _owner.NoteRejected();
                    return ValueTask.FromResult(RecognitionResult.NoMatch(audio) with { Confidence = confidence });
                }
            }
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

    /// <summary>
    /// How much worse the grammar's best path scores than the phone loop over the same audio, per frame of the path's
    /// words (silence and fillers left out, so the silence around an answer does not dilute it); null when either
    /// search gave nothing.
    /// </summary>
    private double? ScoreAgainstPhoneLoop(int grammarScore)
    {
        if (_phoneLoop is not { } phones) return null;
        var speechFrames = SpeechFrames(_decoder.Handle);
        if (ps_end_utt(phones.Handle) < 0)
        {
            DropPhoneLoop(healthy: false);
            return null;
        }
        var ended = ps_get_hyp(phones.Handle, out var phoneScore) != IntPtr.Zero;
        DropPhoneLoop(healthy: true);
        return ended && speechFrames > 0 ? (double)(grammarScore - phoneScore) / speechFrames : null;
    }

    /// <summary>Gives the phone loop's decoder back (its utterance ended or abandoned); the check is then not made.</summary>
    private void DropPhoneLoop(bool healthy)
    {
        if (_phoneLoop is not { } phones) return;
        _phoneLoop = null;
        _phoneLoops!.Return(phones, healthy);
    }

    private void Release()
    {
        if (_returned) return;
        _returned = true;
        if (_phoneLoop is not null)
        {
            ps_end_utt(_phoneLoop.Handle);
            DropPhoneLoop(healthy: true);
        }
        _pool.Return(_decoder, _healthy);
    }
}

using Switchboard.Speech.Grammar;
using Switchboard.Speech.Vad;

namespace Switchboard.Speech.TurnTaking;

/// <summary>What one inbound frame changed in a listening turn.</summary>
public readonly record struct ListeningUpdate(UtteranceEvent Event, bool StopPrompt, PartialHypothesis? Partial, RecognitionResult? Result)
{
    public bool IsFinished => Event is UtteranceEvent.EndOfUtterance or UtteranceEvent.MaxUtterance or UtteranceEvent.NoInput;
}

/// <summary>
/// One voice turn's listening, frame by frame: voice activity → barge-in (stop the prompt) → end of utterance →
/// recognition with the turn's grammar. The recogniser only gets audio from shortly before the customer starts
/// talking (the pre-roll), so silent lines cost almost nothing. The no-input clock does not run while a prompt plays.
/// With Silero VAD, a frame is speech for the utterance only when both the energy detector and the model say so: noise,
/// music and tones that are loud enough for the energy detector neither start an utterance nor keep one open. Barge-in
/// stays on energy alone (it must act within 40 ms, before the model's 32 ms steps have settled).
/// </summary>
public sealed class ListeningTurn : IAsyncDisposable
{
    private readonly IRecognitionStream _recognition;
    private readonly SpeechGrammar _grammar;
    private readonly VoiceActivityDetector _vad;
    private readonly SileroVadStream? _silero;
    private readonly EndOfUtteranceDetector _utterance;
    private readonly BargeInPolicy _bargeIn;
    private readonly Queue<short[]> _preRoll = new();
    private readonly int _preRollFrames;
    private short[]? _spare;
    private bool _finished;
    private bool _hypothesisComplete;
    private string? _lastCompleteHypothesis;

    private ListeningTurn(IRecognitionStream recognition, SpeechGrammar grammar, TurnTakingOptions options, SileroVad? silero)
    {
        _recognition = recognition;
        _grammar = grammar;
        _vad = new VoiceActivityDetector(options);
        _silero = silero is { IsAvailable: true } ? silero.OpenStream() : null;
        _utterance = new EndOfUtteranceDetector(options);
        _bargeIn = new BargeInPolicy(options);
        _preRollFrames = TurnTakingOptions.Frames(options.PreRoll);
    }

    public EndOfUtteranceDetector Utterance => _utterance;

    /// <param name="silero">The neural voice-activity model for end of speech; null (or unavailable): energy only.</param>
    public static async ValueTask<ListeningTurn> StartAsync(ISpeechToText recognizer, SpeechGrammar grammar, TurnTakingOptions options,
        CancellationToken cancellationToken = default, SileroVad? silero = null)
    {
        var stream = await recognizer.BeginUtteranceAsync(grammar, cancellationToken).ConfigureAwait(false);
        return new ListeningTurn(stream, grammar, options, silero);
    }

    /// <summary>True when Silero VAD decides speech for this turn (with the energy detector).</summary>
    public bool UsesSilero => _silero is not null;

    /// <summary>Processes one 20 ms inbound frame (8 kHz PCM). <paramref name="promptPlaying"/>: the agent is speaking now.</summary>
    public async ValueTask<ListeningUpdate> OnFrameAsync(ReadOnlyMemory<short> frame, bool promptPlaying, bool promptInterruptible = true, CancellationToken cancellationToken = default)
    {
        if (_finished) return default;
        var activity = _vad.Process(frame.Span);
        var stopPrompt = _bargeIn.ShouldStopPrompt(activity, promptPlaying, promptInterruptible);
        if (stopPrompt) _bargeIn.Reset();

        var listening = !promptPlaying || (promptInterruptible && (activity.IsSpeech || _utterance.InSpeech));
        var speech = activity.IsSpeech;
        if (_silero is not null) speech = _silero.Process(frame.Span) && speech;
        var ev = listening ? _utterance.Process(speech, _hypothesisComplete) : UtteranceEvent.None;
        PartialHypothesis? partial = null;
        if (!_utterance.InSpeech)
        {
            // The frame is the caller's (reused after this call): keep a copy, in the array of the frame that falls
            // out of the pre-roll when there is one, so steady listening allocates nothing per frame.
            var copy = _spare is { } spare && spare.Length == frame.Length ? spare : new short[frame.Length];
            _spare = null;
            frame.Span.CopyTo(copy);
            _preRoll.Enqueue(copy);
            while (_preRoll.Count > _preRollFrames) _spare = _preRoll.Dequeue();
        }
        else
        {
            if (ev == UtteranceEvent.SpeechStarted)
            {
                while (_preRoll.TryDequeue(out var early)) await _recognition.FeedAsync(early, cancellationToken).ConfigureAwait(false);
            }
            if (!_utterance.IsDone) partial = await _recognition.FeedAsync(frame, cancellationToken).ConfigureAwait(false);
            if (partial is not null) TrackCompleteness(partial.Text);
        }

        switch (ev)
        {
            case UtteranceEvent.EndOfUtterance or UtteranceEvent.MaxUtterance:
                _finished = true;
                var result = await _recognition.EndAsync(cancellationToken).ConfigureAwait(false);
                return new ListeningUpdate(ev, stopPrompt, null, result);
            case UtteranceEvent.NoInput:
                _finished = true;
                await _recognition.DisposeAsync().ConfigureAwait(false);
                return new ListeningUpdate(ev, stopPrompt, null, null);
            default:
                return new ListeningUpdate(ev, stopPrompt, partial, null);
        }
    }

    /// <summary>
    /// Whether the customer has given a whole answer. pocketsphinx's partial hypothesis in trailing silence can fall
    /// back to a prefix of the answer it already had ("talk to a person" → "talk to a") though the final result is
    /// whole, so a prefix of the last complete hypothesis still counts as complete.
    /// </summary>
    private void TrackCompleteness(string hypothesis)
    {
        if (_grammar.Interpret(hypothesis) is not null)
        {
            _hypothesisComplete = true;
            _lastCompleteHypothesis = hypothesis;
        }
        else if (_lastCompleteHypothesis is null || !_lastCompleteHypothesis.StartsWith(hypothesis + " ", StringComparison.Ordinal))
        {
            _hypothesisComplete = false;
            _lastCompleteHypothesis = null;
        }
    }

    /// <summary>A DTMF key pressed during this turn: stops an interruptible prompt; the digits are the dialog's to handle.</summary>
    public static bool OnDigit(bool promptPlaying, bool promptInterruptible = true) => BargeInPolicy.ShouldStopPromptOnDigit(promptPlaying, promptInterruptible);

    public ValueTask DisposeAsync() => _recognition.DisposeAsync();
}

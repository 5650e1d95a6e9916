namespace Switchboard.Speech.TurnTaking;

/// <summary>What the turn-taking state machine saw on a frame.</summary>
public enum UtteranceEvent
{
    None,
    /// <summary>Enough consecutive speech: the customer started talking.</summary>
    SpeechStarted,
    /// <summary>Speech followed by <see cref="TurnTakingOptions.EndSilence"/> of silence (or the shorter
    /// <see cref="TurnTakingOptions.EndSilenceWhenComplete"/> once the hypothesis is a complete answer): recognise now.</summary>
    EndOfUtterance,
    /// <summary>Nothing said within <see cref="TurnTakingOptions.NoInputTimeout"/>: re-prompt.</summary>
    NoInput,
    /// <summary>Talking for longer than <see cref="TurnTakingOptions.MaxUtterance"/>: recognise what there is.</summary>
    MaxUtterance,
}

/// <summary>
/// Finds where an utterance starts and ends from per-frame voice activity, counting 20 ms frames (the audio is the
/// clock, so it tests without timers). One detector per listening turn; it reports one ending event, then stays done.
/// </summary>
public sealed class EndOfUtteranceDetector(TurnTakingOptions options)
{
    private readonly int _onsetFrames = Math.Max(1, options.OnsetFrames);
    private readonly int _endSilenceFrames = TurnTakingOptions.Frames(options.EndSilence);
    private readonly int _completeEndSilenceFrames = TurnTakingOptions.Frames(TimeSpan.FromTicks(Math.Min(options.EndSilenceWhenComplete.Ticks, options.EndSilence.Ticks)));
    private readonly int _noInputFrames = TurnTakingOptions.Frames(options.NoInputTimeout);
    private readonly int _maxUtteranceFrames = TurnTakingOptions.Frames(options.MaxUtterance);
    private int _speechRun;
    private int _silenceRun;

    public int Frame { get; private set; }

    public bool InSpeech { get; private set; }

    public bool IsDone { get; private set; }

    /// <summary>Frame index where speech began (the first frame of the onset run), or -1.</summary>
    public int SpeechStartFrame { get; private set; } = -1;

    /// <summary>Frame index just after the last speech frame, set when the utterance ends; -1 before.</summary>
    public int SpeechEndFrame { get; private set; } = -1;

    /// <param name="isSpeech">The frame's voice activity.</param>
    /// <param name="hypothesisComplete">The recogniser's current hypothesis already means something in the grammar.</param>
    public UtteranceEvent Process(bool isSpeech, bool hypothesisComplete = false)
    {
        if (IsDone) return UtteranceEvent.None;
        var frame = Frame++;
        if (!InSpeech)
        {
            _speechRun = isSpeech ? _speechRun + 1 : 0;
            if (_speechRun >= _onsetFrames)
            {
                InSpeech = true;
                SpeechStartFrame = frame - _onsetFrames + 1;
                _silenceRun = 0;
                return UtteranceEvent.SpeechStarted;
            }
            if (frame + 1 >= _noInputFrames)
            {
                IsDone = true;
                return UtteranceEvent.NoInput;
            }
            return UtteranceEvent.None;
        }
        _silenceRun = isSpeech ? 0 : _silenceRun + 1;
        if (_silenceRun >= (hypothesisComplete ? _completeEndSilenceFrames : _endSilenceFrames))
        {
            IsDone = true;
            SpeechEndFrame = frame - _silenceRun + 1;
            return UtteranceEvent.EndOfUtterance;
        }
        if (frame + 1 - SpeechStartFrame >= _maxUtteranceFrames)
        {
            IsDone = true;
            SpeechEndFrame = frame + 1;
            return UtteranceEvent.MaxUtterance;
        }
        return UtteranceEvent.None;
    }
}

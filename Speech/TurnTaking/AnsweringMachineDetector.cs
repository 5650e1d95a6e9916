using Switchboard.Speech.Vad;

namespace Switchboard.Speech.TurnTaking;

/// <summary>Section <c>VoiceAgent:AnsweringMachine</c>: telling a person from an answering machine on a call we placed.</summary>
public sealed class AnsweringMachineOptions
{
    /// <summary>Listen before speaking on proactive calls; off: the dialog starts at once, as if a person answered.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A person's "hello" (or "hello, John speaking") is shorter than this; a longer greeting is a machine's.</summary>
    public TimeSpan MaxHumanGreeting { get; set; } = TimeSpan.FromMilliseconds(1800);

    /// <summary>Silence after a short greeting that means a person is waiting for us to speak.</summary>
    public TimeSpan AfterGreetingSilence { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Nothing said for this long after the answer: unknown (the dialog starts, a person may be listening).</summary>
    public TimeSpan InitialSilence { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Silence after a machine's greeting with no beep: the message is left anyway.</summary>
    public TimeSpan SilenceInsteadOfBeep { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>The longest wait for the beep after the machine was recognised (long greetings, beeps lost in noise).</summary>
    public TimeSpan MaxBeepWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A steady tone at least this long is the beep.</summary>
    public TimeSpan MinBeep { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>What the detector learnt from one frame.</summary>
public enum AnsweringMachineEvent
{
    None,
    /// <summary>Nothing said for <see cref="AnsweringMachineOptions.InitialSilence"/>: undecided, the dialog starts.</summary>
    Silence,
    /// <summary>A short greeting, then silence: a person.</summary>
    Human,
    /// <summary>A greeting longer than a person's: a machine (the message waits for the beep).</summary>
    Machine,
    /// <summary>The beep ended (or a long silence came instead): speak the message now.</summary>
    RecordingStarted,
}

/// <summary>
/// Answering-machine detection from the audio of a call we placed, the way telephone diallers do it: a person answers
/// with a short "hello" and waits; a machine plays a greeting longer than that, then a beep. Voice activity from
/// <see cref="VoiceActivityDetector"/>, the beep from <see cref="ToneDetector"/> (tone frames never count as speech).
/// Silero VAD, when given, must agree that a loud frame is speech. Pure: 20 ms frames in, events out; the caller bounds the waits that need a clock (a line that sends no audio).
/// </summary>
public sealed class AnsweringMachineDetector(AnsweringMachineOptions options, TurnTakingOptions turnTaking, SileroVadStream? silero = null)
{
    private readonly VoiceActivityDetector _vad = new(turnTaking);
    private readonly int _maxHumanFrames = TurnTakingOptions.Frames(options.MaxHumanGreeting);
    private readonly int _afterGreetingFrames = TurnTakingOptions.Frames(options.AfterGreetingSilence);
    private readonly int _silenceInsteadOfBeepFrames = TurnTakingOptions.Frames(options.SilenceInsteadOfBeep);
    private readonly int _minBeepFrames = TurnTakingOptions.Frames(options.MinBeep);
    private readonly int _initialSilenceFrames = TurnTakingOptions.Frames(options.InitialSilence);
    private int _frames;
    private State _state = State.AwaitingSpeech;
    private int _onset;          // consecutive speech frames before the greeting counts as started
    private int _greetingFrames; // from the greeting's first frame to its last speech frame
    private int _silence;        // consecutive frames without speech or tone
    private int _toneFrames;     // consecutive tone frames
    private double _toneHz;

    /// <summary>How long the greeting has lasted so far.</summary>
    public TimeSpan Greeting => TimeSpan.FromMilliseconds(_greetingFrames * 20);

    /// <summary>True once a beep was heard (not just a long silence).</summary>
    public bool BeepHeard { get; private set; }

    public AnsweringMachineEvent Process(ReadOnlySpan<short> frame)
    {
        if (_state == State.Done) return AnsweringMachineEvent.None;
        var tone = ToneDetector.Detect(frame, turnTaking.BargeInMinimumDbfs);
        var speech = tone is null && _vad.Process(frame).IsSpeech;
        // With Silero VAD, music or noise under a greeting does not count as talking (the model runs on every frame for its state).
        if (silero is not null) speech = silero.Process(frame) && speech;
        TrackTone(tone);
        switch (_state)
        {
            case State.AwaitingSpeech:
                if (_toneFrames >= _minBeepFrames)
                {
                    // A beep with no greeting before it (a bare mailbox): record after it.
                    _state = State.InBeep;
                    return AnsweringMachineEvent.Machine;
                }
                _onset = speech ? _onset + 1 : 0;
                if (_onset == 0 && ++_frames >= _initialSilenceFrames)
                {
                    _state = State.Done;
                    return AnsweringMachineEvent.Silence;
                }
                if (_onset < turnTaking.OnsetFrames) return AnsweringMachineEvent.None;
                _state = State.InGreeting;
                _greetingFrames = _onset;
                _silence = 0;
                return AnsweringMachineEvent.None;
            case State.InGreeting:
                if (speech || tone is not null)
                {
                    _greetingFrames += _silence + 1;
                    _silence = 0;
                }
                else _silence++;
                if (_greetingFrames > _maxHumanFrames)
                {
                    _state = State.AwaitingBeep;
                    _silence = 0;
                    return AnsweringMachineEvent.Machine;
                }
                if (_silence < _afterGreetingFrames) return AnsweringMachineEvent.None;
                _state = State.Done;
                return AnsweringMachineEvent.Human;
            case State.AwaitingBeep:
                if (_toneFrames >= _minBeepFrames)
                {
                    _state = State.InBeep;
                    return AnsweringMachineEvent.None;
                }
                _silence = speech || tone is not null ? 0 : _silence + 1;
                if (_silence < _silenceInsteadOfBeepFrames) return AnsweringMachineEvent.None;
                _state = State.Done;
                return AnsweringMachineEvent.RecordingStarted;
            case State.InBeep:
                BeepHeard = true;
                if (tone is not null) return AnsweringMachineEvent.None;
                _state = State.Done;
                return AnsweringMachineEvent.RecordingStarted;
            default:
                return AnsweringMachineEvent.None;
        }
    }

    private void TrackTone(double? tone)
    {
        if (tone is not { } hz)
        {
            _toneFrames = 0;
            return;
        }
        // A beep holds its pitch: a frame at another frequency starts a new run.
        _toneFrames = _toneFrames > 0 && Math.Abs(hz - _toneHz) <= 60 ? _toneFrames + 1 : 1;
        _toneHz = hz;
    }

    private enum State { AwaitingSpeech, InGreeting, AwaitingBeep, InBeep, Done }
}

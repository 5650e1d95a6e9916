using Switchboard.Speech.Audio;

namespace Switchboard.Speech.TurnTaking;

/// <summary>Section <c>Speech:TurnTaking</c>: voice activity, end of utterance and barge-in.</summary>
public sealed class TurnTakingOptions
{
    public const string Section = "Speech:TurnTaking";

    /// <summary>"silero" (default: Silero VAD v5 with the energy detector, when the model is next to the engine) or "energy".</summary>
    public string Vad { get; set; } = "silero";

    /// <summary>Quietest frame that can count as speech, whatever the line noise (dBFS).</summary>
    public double MinimumSpeechDbfs { get; set; } = -45;

    /// <summary>How far above the tracked noise floor a frame must be to count as speech (dB).</summary>
    public double SpeechAboveNoiseDb { get; set; } = 12;

    /// <summary>Consecutive speech frames (20 ms each) that start an utterance; shorter bursts are clicks.</summary>
    public int OnsetFrames { get; set; } = 3;

    /// <summary>Silence after speech that ends the utterance.</summary>
    public TimeSpan EndSilence { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Shorter silence that ends the utterance once the recogniser's hypothesis already means something in the turn's
    /// grammar ("yes", a whole menu option): the answer is complete, so the agent replies sooner.
    /// </summary>
    public TimeSpan EndSilenceWhenComplete { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>No speech at all for this long after the turn starts: a no-input re-prompt.</summary>
    public TimeSpan NoInputTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An utterance is cut off here (someone talking to someone else, a TV).</summary>
    public TimeSpan MaxUtterance { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Audio kept from before the onset and given to the recogniser (the first consonant is quiet).</summary>
    public TimeSpan PreRoll { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Consecutive speech frames during a prompt that stop it: 2 frames = 40 ms.</summary>
    public int BargeInFrames { get; set; } = 2;

    /// <summary>While a prompt plays, inbound speech must also be this loud (the prompt's echo from the handset is quieter).</summary>
    public double BargeInMinimumDbfs { get; set; } = -35;

    /// <summary>How many 20 ms frames <paramref name="duration"/> spans, rounded up (at least one).</summary>
    public static int Frames(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalMilliseconds / 20.0));
}

/// <summary>One frame's verdict: speech or not, and how loud.</summary>
public readonly record struct VoiceActivity(bool IsSpeech, double LevelDbfs, double NoiseFloorDbfs);

/// <summary>
/// Energy-based voice activity detection on 20 ms frames of 8 kHz PCM with an adaptive noise floor: the floor follows
/// quiet frames down at once and creeps up slowly, so steady line noise stops counting as speech but speech does not
/// raise the floor. Pure: frames in, verdicts out, no clock.
/// </summary>
public sealed class VoiceActivityDetector(TurnTakingOptions options)
{
    private double _noiseFloor = -70;

    public VoiceActivity Process(ReadOnlySpan<short> frame)
    {
        var level = TelephoneAudio.LevelDbfs(frame);
        var threshold = Math.Max(options.MinimumSpeechDbfs, _noiseFloor + options.SpeechAboveNoiseDb);
        var speech = level >= threshold;
        if (level < _noiseFloor) _noiseFloor = level;
        else if (!speech) _noiseFloor += (level - _noiseFloor) * 0.05;
        else _noiseFloor += 0.01; // a floor stuck low under continuous noise still rises, slowly
        return new VoiceActivity(speech, level, _noiseFloor);
    }
}

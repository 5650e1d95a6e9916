namespace Switchboard.Speech.TurnTaking;

/// <summary>
/// Decides when the customer's speech (or a key press) stops the prompt being played: after
/// <see cref="TurnTakingOptions.BargeInFrames"/> consecutive loud speech frames, i.e. within a frame or two of the
/// customer starting to talk. Prompts that must be heard in full (a legal notice) are marked not interruptible.
/// </summary>
public sealed class BargeInPolicy(TurnTakingOptions options)
{
    private readonly int _frames = Math.Max(1, options.BargeInFrames);
    private int _run;

    /// <summary>True on the frame where the prompt must stop (once per prompt; call <see cref="Reset"/> for the next).</summary>
    public bool ShouldStopPrompt(VoiceActivity activity, bool promptPlaying, bool promptInterruptible = true)
    {
        if (!promptPlaying || !promptInterruptible)
        {
            _run = 0;
            return false;
        }
        _run = activity.IsSpeech && activity.LevelDbfs >= options.BargeInMinimumDbfs ? _run + 1 : 0;
        return _run == _frames;
    }

    /// <summary>A DTMF key stops an interruptible prompt at once.</summary>
    public static bool ShouldStopPromptOnDigit(bool promptPlaying, bool promptInterruptible = true) => promptPlaying && promptInterruptible;

    public void Reset() => _run = 0;
}

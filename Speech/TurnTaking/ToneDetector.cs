using Switchboard.Speech.Audio;

namespace Switchboard.Speech.TurnTaking;

/// <summary>
/// Finds a steady single tone (an answering machine's beep) in a 20 ms frame of 8 kHz PCM: the zero-crossing rate
/// gives the candidate pitch, a Goertzel filter at and around it measures how much of the frame's energy sits there.
/// Speech spreads its energy over harmonics and formants; a beep puts nearly all of it at one frequency.
/// </summary>
public static class ToneDetector
{
    /// <summary>Share of the frame's energy at one frequency for a tone (a clean sine gives about 0.9 on 160 samples).</summary>
    public const double MinTonality = 0.7;

    public const double MinHz = 300;
    public const double MaxHz = 3000;

    /// <summary>The tone's frequency in Hz, or null when the frame is quiet or not a tone.</summary>
    public static double? Detect(ReadOnlySpan<short> frame, double minimumDbfs)
    {
        if (frame.Length < 64 || TelephoneAudio.LevelDbfs(frame) < minimumDbfs) return null;
        var crossings = 0;
        double energy = 0;
        for (var i = 0; i < frame.Length; i++)
        {
            energy += (double)frame[i] * frame[i];
            if (i > 0 && (frame[i - 1] < 0) != (frame[i] < 0)) crossings++;
        }
        var estimate = crossings * TelephoneAudio.SampleRate / (2.0 * (frame.Length - 1));
        if (estimate is < MinHz or > MaxHz) return null;
        // The zero-crossing estimate is within one crossing (25 Hz at 160 samples): search around it.
        double best = 0, bestHz = estimate;
        for (var hz = estimate - 30; hz <= estimate + 30; hz += 10)
        {
            var p = Goertzel(frame, hz);
            if (p > best) (best, bestHz) = (p, hz);
        }
        var tonality = 2 * best / (frame.Length * energy);
        return tonality >= MinTonality ? bestHz : null;
    }

    /// <summary>|X(f)|² of the frame at <paramref name="hz"/> (any frequency, not only a DFT bin).</summary>
    private static double Goertzel(ReadOnlySpan<short> frame, double hz)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * hz / TelephoneAudio.SampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in frame)
        {
            var s = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }
}

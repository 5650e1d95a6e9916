namespace Switchboard.Speech.Audio;

/// <summary>Telephone audio constants and small measurements on 8 kHz 16-bit mono PCM.</summary>
public static class TelephoneAudio
{
    public const int SampleRate = 8000;

    /// <summary>20 ms, the RTP packet time.</summary>
    public const int FrameSamples = 160;

    public static TimeSpan Duration(int samples) => TimeSpan.FromSeconds(samples / (double)SampleRate);

    /// <summary>Root-mean-square level in dB relative to full scale; -96 for digital silence.</summary>
    public static double LevelDbfs(ReadOnlySpan<short> frame)
    {
        if (frame.IsEmpty) return -96;
        double sum = 0;
        foreach (var s in frame) sum += (double)s * s;
        var rms = Math.Sqrt(sum / frame.Length);
        return rms < 1 ? -96 : 20 * Math.Log10(rms / 32768.0);
    }

    public static short Clip(double value) => (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
}

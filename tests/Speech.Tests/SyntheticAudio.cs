namespace Switchboard.Speech.Tests;

/// <summary>Deterministic test signals at 8 kHz.</summary>
internal static class SyntheticAudio
{
    /// <summary>White noise at roughly <paramref name="dbfs"/> (a fixed seed: the same every run).</summary>
    public static short[] Noise(TimeSpan duration, double dbfs, int seed = 7)
    {
        var random = new Random(seed);
        var amplitude = 32768 * Math.Pow(10, dbfs / 20) * Math.Sqrt(3); // uniform noise: rms = amplitude / √3
        var samples = new short[(int)(duration.TotalSeconds * 8000)];
        for (var i = 0; i < samples.Length; i++) samples[i] = (short)((random.NextDouble() * 2 - 1) * amplitude);
        return samples;
    }

    public static short[] Scale(short[] audio, double factor) => [.. audio.Select(s => (short)Math.Clamp(s * factor, short.MinValue, short.MaxValue))];

    /// <summary>Adds <paramref name="overlay"/> into <paramref name="bed"/> starting at <paramref name="offset"/>.</summary>
    public static short[] Mix(short[] bed, short[] overlay, int offset)
    {
        var result = (short[])bed.Clone();
        if (offset + overlay.Length > result.Length) Array.Resize(ref result, offset + overlay.Length);
        for (var i = 0; i < overlay.Length; i++) result[offset + i] = (short)Math.Clamp(result[offset + i] + overlay[i], short.MinValue, short.MaxValue);
        return result;
    }
}

namespace Switchboard.Speech.Tests;

/// <summary>
/// The median pitch of a voice in 8 kHz speech: normalised autocorrelation over 40 ms frames, voiced frames only. It
/// tells a synthesiser's voices apart (flite's slt speaks about an octave above rms) where their samples are not
/// repeatable (the statistical voices excite with noise, so the same text never gives the same samples twice).
/// </summary>
public static class VoicePitch
{
    private const int Rate = 8000;
    private const int Frame = 320;
    private const int Hop = 160;
    private const int MinLag = Rate / 320; // 320 Hz
    private const int MaxLag = Rate / 70;  // 70 Hz

    public static double MedianHz(short[] pcm)
    {
        var pitches = new List<double>();
        for (var start = 0; start + Frame + MaxLag <= pcm.Length; start += Hop)
        {
            double energy = 0;
            for (var i = 0; i < Frame; i++) energy += (double)pcm[start + i] * pcm[start + i];
            if (energy / Frame < 300.0 * 300.0) continue; // quieter than about -40 dBFS: not voiced speech
            var (bestLag, best) = (0, 0.0);
            for (var lag = MinLag; lag <= MaxLag; lag++)
            {
                double cross = 0, lagged = 0;
                for (var i = 0; i < Frame; i++)
                {
                    cross += (double)pcm[start + i] * pcm[start + i + lag];
                    lagged += (double)pcm[start + i + lag] * pcm[start + i + lag];
                }
                var r = cross / Math.Sqrt(energy * lagged + 1);
                if (r > best) (bestLag, best) = (lag, r);
            }
            if (best > 0.6) pitches.Add((double)Rate / bestLag);
        }
        Assert.True(pitches.Count >= 5, $"only {pitches.Count} voiced frames");
        pitches.Sort();
        return pitches[pitches.Count / 2];
    }

    /// <summary>Asserts that <paramref name="actual"/> is spoken at the pitch of <paramref name="expected"/> (within 12 %) and not at that of <paramref name="other"/>.</summary>
    public static void AssertSameVoice(short[] expected, short[] actual, short[]? other = null)
    {
        var want = MedianHz(expected);
        var got = MedianHz(actual);
        Assert.True(Math.Abs(got - want) <= want * 0.12, $"pitch {got:F0} Hz, the voice speaks at {want:F0} Hz");
        if (other is null) return;
        var not = MedianHz(other);
        Assert.True(Math.Abs(got - not) > not * 0.25, $"pitch {got:F0} Hz is the other voice's ({not:F0} Hz)");
    }
}

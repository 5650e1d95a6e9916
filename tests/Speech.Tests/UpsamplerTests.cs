using Switchboard.Channels.Voice.Speech.Audio;

namespace Switchboard.Speech.Tests;

public sealed class UpsamplerTests
{
    [Fact]
    public void Each_line_sample_is_preceded_by_a_zero_and_doubled_to_keep_the_level()
    {
        var output = new short[6];
        new Upsampler8To16().Process([100, -200, 0], output);
        Assert.Equal([0, 200, 0, -400, 0, 0], output);
    }

    [Fact]
    public void Loud_samples_saturate_instead_of_wrapping_around()
    {
        var output = new short[4];
        new Upsampler8To16().Process([30000, -30000], output);
        Assert.Equal([0, short.MaxValue, 0, short.MinValue], output);
    }

    [Fact]
    public void The_mirror_image_of_the_telephone_band_fills_the_band_above_4_kHz()
    {
        // A 3 kHz tone on the line: at 16 kHz it is still there, and its mirror image (8 - 3 = 5 kHz) as strong.
        var tone = new short[800];
        for (var i = 0; i < tone.Length; i++) tone[i] = (short)(8000 * Math.Sin(2 * Math.PI * 3000 * i / 8000.0));
        var wide = new short[1600];
        new Upsampler8To16().Process(tone, wide);
        var at3k = Magnitude(wide, 3000);
        var at5k = Magnitude(wide, 5000);
        Assert.True(at3k > 1000, $"3 kHz magnitude {at3k:F0}");
        Assert.InRange(at5k / at3k, 0.9, 1.1);
        Assert.True(Magnitude(wide, 1000) < at3k / 100, "nothing where there was nothing");
    }

    /// <summary>Goertzel-style single-bin DFT magnitude at <paramref name="hz"/> of 16 kHz audio, per sample.</summary>
    private static double Magnitude(short[] pcm16k, double hz)
    {
        double re = 0, im = 0;
        for (var i = 0; i < pcm16k.Length; i++)
        {
            var a = 2 * Math.PI * hz * i / 16000.0;
            re += pcm16k[i] * Math.Cos(a);
            im -= pcm16k[i] * Math.Sin(a);
        }
        return Math.Sqrt(re * re + im * im) / pcm16k.Length;
    }
}

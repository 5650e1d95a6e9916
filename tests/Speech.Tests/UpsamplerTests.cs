using Switchboard.Speech.Audio;

namespace Switchboard.Speech.Tests;

public sealed class UpsamplerTests
{
    [Fact]
    public void Each_line_sample_is_kept_and_preceded_by_the_midpoint_to_the_previous_one()
    {
        var output = new short[6];
        new Upsampler8To16().Process([100, -200, 0], output);
        Assert.Equal([50, 100, -50, -200, -100, 0], output);
    }

    [Fact]
    public void The_midpoint_carries_over_from_one_frame_to_the_next_and_reset_forgets_it()
    {
        var upsampler = new Upsampler8To16();
        var first = new short[2];
        upsampler.Process([1000], first);
        var second = new short[2];
        upsampler.Process([3000], second);
        Assert.Equal([2000, 3000], second);

        upsampler.Reset();
        upsampler.Process([3000], second);
        Assert.Equal([1500, 3000], second);
    }

    [Fact]
    public void Full_scale_samples_do_not_wrap_around()
    {
        var output = new short[4];
        new Upsampler8To16().Process([short.MaxValue, short.MinValue], output);
        Assert.Equal([short.MaxValue / 2, short.MaxValue, -1, short.MinValue], output);
    }
}

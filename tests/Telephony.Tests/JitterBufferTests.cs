using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

/// <summary>The jitter buffer reorders, drops late frames, and reuses recycled frames instead of allocating per packet.</summary>
public sealed class JitterBufferTests
{
    [Fact]
    public void Recycled_frames_carry_later_packets_in_order()
    {
        var jitter = new JitterBuffer(depth: 1);
        Assert.True(jitter.Push(2, Filled(160, 2)));
        Assert.True(jitter.Push(1, Filled(160, 1))); // out of order
        Assert.True(jitter.TryPop(out var seq, out var first));
        Assert.Equal(1, seq);
        Assert.All(first, b => Assert.Equal(1, b));
        jitter.Recycle(first);

        Assert.True(jitter.Push(3, Filled(160, 3)));
        Assert.True(jitter.TryPop(out seq, out var second));
        Assert.Equal(2, seq);
        Assert.True(jitter.TryPop(out _, out _, flush: true));
        Assert.False(jitter.Push(1, Filled(160, 9))); // late: dropped
        jitter.Recycle(second);
        Assert.True(jitter.Push(4, Filled(160, 4)));
        Assert.True(jitter.TryPop(out seq, out var reused, flush: true));
        Assert.Equal(4, seq);
        Assert.Same(second, reused); // the recycled array now holds packet 4
        Assert.All(reused, b => Assert.Equal(4, b));
    }

    [Fact]
    public void A_frame_of_another_length_gets_its_own_array()
    {
        var jitter = new JitterBuffer(depth: 0);
        jitter.Push(1, Filled(160, 1));
        Assert.True(jitter.TryPop(out _, out var frame));
        jitter.Recycle(frame);
        jitter.Push(2, Filled(240, 2)); // a 30 ms packet
        Assert.True(jitter.TryPop(out _, out var longer));
        Assert.Equal(240, longer.Length);
        Assert.All(longer, b => Assert.Equal(2, b));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}

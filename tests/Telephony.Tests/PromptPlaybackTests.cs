using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

/// <summary>A streaming prompt plays its pieces in order across frame boundaries, bridges gaps with silence, and ends only once completed.</summary>
public sealed class PromptPlaybackTests
{
    private const byte Silence = 0xFF;

    [Fact]
    public async Task Streaming_prompt_joins_pieces_across_frames_and_ends_after_complete()
    {
        var playback = PromptPlayback.Streaming();
        var frame = new byte[160];
        playback.Append(Filled(100, 1));
        playback.Append(Filled(100, 2));
        Assert.True(playback.TryNextFrame(frame, Silence));
        Assert.All(frame[..100], b => Assert.Equal(1, b));
        Assert.All(frame[100..], b => Assert.Equal(2, b)); // the second piece continues in the same frame
        Assert.True(playback.TryNextFrame(frame, Silence));
        Assert.All(frame[..40], b => Assert.Equal(2, b));
        Assert.All(frame[40..], b => Assert.Equal(Silence, b));

        // Nothing more yet: silence, and the prompt is still playing.
        Assert.True(playback.TryNextFrame(frame, Silence));
        Assert.All(frame, b => Assert.Equal(Silence, b));
        Assert.False(playback.IsFinished);

        playback.Append(Filled(160, 3));
        playback.Complete();
        Assert.True(playback.TryNextFrame(frame, Silence));
        Assert.All(frame, b => Assert.Equal(3, b));
        Assert.True(await playback.Completion);
        Assert.False(playback.TryNextFrame(frame, Silence));
        Assert.Throws<InvalidOperationException>(() => playback.Append(Filled(10, 4)));
    }

    [Fact]
    public async Task Stopped_streaming_prompt_ends_at_once_and_takes_no_more_audio()
    {
        var playback = PromptPlayback.Streaming();
        var frame = new byte[160];
        playback.Append(Filled(1600, 1));
        Assert.True(playback.TryNextFrame(frame, Silence));
        playback.Stop();
        Assert.False(playback.TryNextFrame(frame, Silence));
        Assert.False(await playback.Completion);
        playback.Append(Filled(160, 2)); // a late piece from the synthesiser is dropped, not played
        Assert.False(playback.TryNextFrame(frame, Silence));
    }

    [Fact]
    public async Task Completed_empty_stream_finishes_at_the_first_tick()
    {
        var playback = PromptPlayback.Streaming();
        playback.Complete();
        Assert.False(playback.TryNextFrame(new byte[160], Silence));
        Assert.True(await playback.Completion);
    }

    [Fact]
    public void A_whole_prompt_cannot_be_appended_to()
    {
        Assert.Throws<InvalidOperationException>(() => new PromptPlayback(new byte[160]).Append(new byte[160]));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// One prompt being played out 160 bytes per tick. <see cref="Stop"/> ends it at the next tick (barge-in);
/// <see cref="Completion"/> is true when it played to the end, false when it was stopped.
/// </summary>
public sealed class PromptPlayback(byte[] encodedAudio)
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopped;
    private int _position;

    public Task<bool> Completion => _done.Task;

    public bool IsFinished => _done.Task.IsCompleted;

    public void Stop()
    {
        _stopped = true;
        _done.TrySetResult(false);
    }

    /// <summary>Copies the next frame (padded with <paramref name="silence"/>); false once the prompt is over or stopped.</summary>
    public bool TryNextFrame(Span<byte> frame, byte silence)
    {
        if (_stopped || _position >= encodedAudio.Length)
        {
            _done.TrySetResult(!_stopped);
            return false;
        }
        var n = Math.Min(frame.Length, encodedAudio.Length - _position);
        encodedAudio.AsSpan(_position, n).CopyTo(frame);
        frame[n..].Fill(silence);
        _position += n;
        if (_position >= encodedAudio.Length) _done.TrySetResult(true);
        return true;
    }
}

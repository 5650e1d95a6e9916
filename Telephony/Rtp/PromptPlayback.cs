using System.Collections.Concurrent;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// One prompt being played out 160 bytes per tick. <see cref="Stop"/> ends it at the next tick (barge-in);
/// <see cref="Completion"/> is true when it played to the end, false when it was stopped. A streaming prompt
/// (<see cref="Streaming"/>) starts before all its audio exists: <see cref="Append"/> adds audio as it is synthesised
/// (sentence by sentence), <see cref="Complete"/> says no more comes; until then a gap plays silence and the prompt goes on.
/// The pacer thread reads; one producer appends. Reading allocates nothing.
/// </summary>
public sealed class PromptPlayback
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<byte[]>? _pending;
    private volatile bool _stopped;
    private volatile bool _completed;
    private byte[] _current;
    private int _position;

    public PromptPlayback(byte[] encodedAudio)
    {
        _current = encodedAudio;
        _completed = true;
    }

    private PromptPlayback()
    {
        _current = [];
        _pending = new ConcurrentQueue<byte[]>();
    }

    /// <summary>A prompt whose audio arrives while it plays.</summary>
    public static PromptPlayback Streaming() => new();

    public Task<bool> Completion => _done.Task;

    public bool IsFinished => _done.Task.IsCompleted;

    /// <summary>Adds encoded audio to a streaming prompt (ignored once stopped).</summary>
    public void Append(byte[] encodedAudio)
    {
        if (_pending is null) throw new InvalidOperationException("Only a streaming prompt takes more audio.");
        if (_completed) throw new InvalidOperationException("The prompt was completed: no more audio.");
        if (encodedAudio.Length > 0 && !_stopped) _pending.Enqueue(encodedAudio);
    }

    /// <summary>No more audio: the prompt ends once what was appended has played.</summary>
    public void Complete() => _completed = true;

    public void Stop()
    {
        _stopped = true;
        _done.TrySetResult(false);
    }

    /// <summary>
    /// Copies the next frame (padded with <paramref name="silence"/>); false once the prompt is over or stopped. A
    /// streaming prompt waiting for its next piece gives a silent frame and stays playing.
    /// </summary>
    public bool TryNextFrame(Span<byte> frame, byte silence)
    {
        if (_stopped)
        {
            _done.TrySetResult(false);
            return false;
        }
        // Read "completed" before looking at the queue: everything appended before Complete() is then visible.
        var completed = _completed;
        var written = 0;
        while (written < frame.Length)
        {
            if (_position >= _current.Length)
            {
                if (_pending is not null && _pending.TryDequeue(out var next))
                {
                    _current = next;
                    _position = 0;
                    continue;
                }
                break;
            }
            var n = Math.Min(frame.Length - written, _current.Length - _position);
            _current.AsSpan(_position, n).CopyTo(frame[written..]);
            written += n;
            _position += n;
        }
        var drained = _position >= _current.Length && (_pending is null || _pending.IsEmpty);
        if (written == 0 && completed && drained)
        {
            _done.TrySetResult(true);
            return false;
        }
        frame[written..].Fill(silence);
        if (completed && drained) _done.TrySetResult(true);
        return true;
    }
}

using System.Buffers.Binary;
using NAudio.Wave;

namespace Switchboard.Speech.Recording;

/// <summary>Why the recording is paused; kept with the recording as evidence of PCI-style handling.</summary>
public enum RecordingPauseReason
{
    CardNumber,
    SecurityCode,
    OneTimePassword,
    Other,
}

/// <summary>A stretch of the recording written as silence, in samples from the start.</summary>
public sealed record RecordingPause(long StartSample, long EndSample, RecordingPauseReason Reason);

/// <summary>
/// Records a call to a WAV file (8 kHz, 16-bit PCM, stereo: customer left, agent right). While paused (the customer
/// is speaking or keying card digits or a one-time password) it writes silence instead of the audio, so the timeline
/// stays true and nothing sensitive reaches the file. Only start one after the customer consented to recording.
/// The file is written by NAudio's <see cref="WaveFileWriter"/> (header, sizes on completion).
/// </summary>
public sealed class CallRecorder : IDisposable
{
    public const int SampleRate = 8000;
    private readonly Stream _output;
    private readonly WaveFileWriter _writer;
    private readonly bool _ownsStream;
    private readonly List<RecordingPause> _pauses = [];
    private byte[] _buffer = new byte[4 * 160];
    private long _frames; // sample frames (one sample per channel)
    private long? _pausedAt;
    private RecordingPauseReason _pauseReason;
    private bool _completed;

    public CallRecorder(Stream output, bool ownsStream = true)
    {
        if (!output.CanWrite || !output.CanSeek) throw new ArgumentException("The recording needs a writable, seekable stream (a file).", nameof(output));
        _output = output;
        _ownsStream = ownsStream;
        _writer = new WaveFileWriter(output, new WaveFormat(SampleRate, 16, 2)); // leaves the stream open
    }

    public bool IsPaused => _pausedAt is not null;

    public long Samples => _frames;

    public TimeSpan Duration => TimeSpan.FromSeconds(_frames / (double)SampleRate);

    public IReadOnlyList<RecordingPause> Pauses => _pauses;

    /// <summary>
    /// Appends one stretch of audio from both sides (either may be empty: nobody speaking is silence). The longer side
    /// sets the length; the shorter is padded with silence.
    /// </summary>
    public void Append(ReadOnlySpan<short> customer, ReadOnlySpan<short> agent)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var n = Math.Max(customer.Length, agent.Length);
        if (n == 0) return;
        if (_buffer.Length < n * 4) _buffer = new byte[n * 4];
        var paused = IsPaused;
        for (var i = 0; i < n; i++)
        {
            var left = paused || i >= customer.Length ? (short)0 : customer[i];
            var right = paused || i >= agent.Length ? (short)0 : agent[i];
            BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(i * 4), left);
            BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(i * 4 + 2), right);
        }
        _writer.Write(_buffer, 0, n * 4);
        _frames += n;
    }

    /// <summary>Starts writing silence. Pausing while paused keeps the first pause (and its reason).</summary>
    public void Pause(RecordingPauseReason reason)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (IsPaused) return;
        _pausedAt = _frames;
        _pauseReason = reason;
    }

    public void Resume()
    {
        if (_pausedAt is not { } start) return;
        _pauses.Add(new RecordingPause(start, _frames, _pauseReason));
        _pausedAt = null;
    }

    /// <summary>Closes any pause, writes the WAV header's sizes and flushes. Idempotent.</summary>
    public void Complete()
    {
        if (_completed) return;
        Resume();
        _completed = true;
        // Writes the RIFF and data sizes into the header (WaveFileWriter refuses data beyond the 4 GB WAV limit).
        _writer.Dispose();
        _output.Flush();
    }

    public void Dispose()
    {
        Complete();
        if (_ownsStream) _output.Dispose();
    }
}

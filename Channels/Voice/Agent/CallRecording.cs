using System.Collections.Concurrent;
using System.Text.Json;
using Switchboard.Channels.Voice.Speech.Recording;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// One consented call recording: a stereo WAV (customer left, agent right) clocked by the outbound 20 ms frames, so it
/// keeps real time even while the caller sends nothing. Paused (silence written) while a card number or one-time
/// password is expected or keyed. Named by a hash of the Call-ID, never by a number; a JSON sidecar lists the
/// customer id, the consent evidence and the pauses.
/// </summary>
public sealed class CallRecording : IDisposable
{
    private const int MaxQueuedFrames = 50;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<short[]> _customer = new();
    private readonly CallRecorder _recorder;
    private readonly string _sidecar;
    private bool _done;

    public CallRecording(string folder, string callRef)
    {
        Directory.CreateDirectory(folder);
        WavPath = Path.Combine(folder, callRef + ".wav");
        _sidecar = Path.Combine(folder, callRef + ".json");
        _recorder = new CallRecorder(new BufferedStream(new FileStream(WavPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read), 64 * 1024));
    }

    public string WavPath { get; }

    public string? CustomerId { get; set; }

    public string? ConsentEvidence { get; set; }

    public bool IsPaused
    {
        get { lock (_lock) return _recorder.IsPaused; }
    }

    public IReadOnlyList<RecordingPause> Pauses
    {
        get { lock (_lock) return [.. _recorder.Pauses]; }
    }

    /// <summary>A 20 ms frame from the caller (receive loop); written with the next outbound frame.</summary>
    public void OnCustomerFrame(ReadOnlySpan<short> frame)
    {
        if (_customer.Count >= MaxQueuedFrames) _customer.TryDequeue(out _);
        _customer.Enqueue(frame.ToArray());
    }

    /// <summary>A 20 ms frame sent to the caller (pacer thread): the recording's clock.</summary>
    public void OnAgentFrame(ReadOnlySpan<short> frame)
    {
        lock (_lock)
        {
            if (_done) return;
            _customer.TryDequeue(out var customer);
            _recorder.Append(customer ?? [], frame);
            // Catch up when the caller's frames arrive faster than ours go out (jitter bursts).
            while (_customer.Count > 3 && _customer.TryDequeue(out var extra)) _recorder.Append(extra, []);
        }
    }

    public void Pause(RecordingPauseReason reason)
    {
        lock (_lock) if (!_done) _recorder.Pause(reason);
    }

    public void Resume()
    {
        lock (_lock) if (!_done) _recorder.Resume();
    }

    public void Dispose()
    {
        RecordingPause[] pauses;
        TimeSpan duration;
        lock (_lock)
        {
            if (_done) return;
            _done = true;
            _recorder.Dispose();
            pauses = [.. _recorder.Pauses];
            duration = _recorder.Duration;
        }
        File.WriteAllText(_sidecar, JsonSerializer.Serialize(new
        {
            customerId = CustomerId,
            consent = ConsentEvidence,
            durationMs = (long)duration.TotalMilliseconds,
            pauses = pauses.Select(p => new { startSample = p.StartSample, endSample = p.EndSample, reason = p.Reason.ToString() }),
        }));
    }
}

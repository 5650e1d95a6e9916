using System.Collections.Concurrent;
using System.Text.Json;
using Switchboard.Speech.Recording;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// One consented call recording: a stereo WAV (customer left, agent right) clocked by the outbound 20 ms frames, so it
/// keeps real time even while the caller sends nothing. Paused (silence written) while a card number or one-time
/// password is expected or keyed. Named by a hash of the Call-ID, never by a number; a JSON sidecar lists the
/// customer id, the consent evidence and the pauses. While the call runs, a <c>.partial</c> marker names the customer,
/// so even a recording cut short by a crash is found when that customer is erased.
/// </summary>
public sealed class CallRecording : IDisposable
{
    public const string SidecarExtension = ".json";
    public const string PartialExtension = ".partial";
    private const int MaxQueuedFrames = 50;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<short[]> _customer = new();
    private readonly CallRecorder _recorder;
    private readonly string _sidecar;
    private readonly string _partial;
    private readonly Action<CallRecording>? _ended;
    private string? _customerId;
    private bool _done;

    /// <param name="ended">Called once the recording is finished (sidecar written) or discarded.</param>
    public CallRecording(string folder, string callRef, string tenant = "", Action<CallRecording>? ended = null)
    {
        Directory.CreateDirectory(folder);
        Tenant = tenant;
        CallRef = callRef;
        _ended = ended;
        WavPath = Path.Combine(folder, callRef + ".wav");
        _sidecar = Path.Combine(folder, callRef + SidecarExtension);
        _partial = Path.Combine(folder, callRef + PartialExtension);
        _recorder = new CallRecorder(new BufferedStream(new FileStream(WavPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read), 64 * 1024));
    }

    public string WavPath { get; }

    public string Tenant { get; }

    /// <summary>The hash of the Call-ID the files are named by.</summary>
    public string CallRef { get; }

    /// <summary>The customer on the call, once the engine named them (the first reply); null before.</summary>
    public string? CustomerId
    {
        get { lock (_lock) return _customerId; }
    }

    public string? ConsentEvidence { get; set; }

    /// <summary>True once the recording was deleted because its customer was erased during the call.</summary>
    public bool Discarded { get; private set; }

    public bool IsPaused
    {
        get { lock (_lock) return _recorder.IsPaused; }
    }

    public IReadOnlyList<RecordingPause> Pauses
    {
        get { lock (_lock) return [.. _recorder.Pauses]; }
    }

    /// <summary>Names the customer on the call and writes the <c>.partial</c> marker that lets erasure find an unfinished recording.</summary>
    public void AssignCustomer(string customerId)
    {
        lock (_lock)
        {
            if (_done || _customerId is not null) return;
            _customerId = customerId;
            WriteAtomically(_partial, JsonSerializer.Serialize(new { customerId }));
        }
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

    /// <summary>
    /// Stops recording and deletes what was written (the customer was erased during the call). True when this call
    /// removed it; false when the recording had already finished (its sidecar is then on disk for erasure to find).
    /// </summary>
    public bool Discard()
    {
        lock (_lock)
        {
            if (_done) return false;
            _done = true;
            Discarded = true;
            try
            {
                _recorder.Dispose();
                // The WAV first, the marker naming the customer last: if a delete fails, erasure still finds the rest.
                File.Delete(WavPath);
                File.Delete(_partial);
            }
            finally { _ended?.Invoke(this); }
        }
        return true;
    }

    /// <summary>Finishes the WAV and writes the sidecar; the sidecar is complete on disk before the recording counts as ended.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_done) return;
            _done = true;
            try
            {
                _recorder.Dispose();
                WriteAtomically(_sidecar, JsonSerializer.Serialize(new
                {
                    customerId = _customerId,
                    consent = ConsentEvidence,
                    durationMs = (long)_recorder.Duration.TotalMilliseconds,
                    pauses = _recorder.Pauses.Select(p => new { startSample = p.StartSample, endSample = p.EndSample, reason = p.Reason.ToString() }),
                }));
                File.Delete(_partial);
            }
            // On a failure the .partial marker stays behind, so erasure still finds this recording.
            finally { _ended?.Invoke(this); }
        }
    }

    // Write-then-rename: a crash never leaves a torn sidecar that erasure could not attribute to a customer.
    private static void WriteAtomically(string path, string json)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
    }
}

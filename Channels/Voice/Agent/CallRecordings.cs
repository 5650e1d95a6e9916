using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// The call recordings under <c>VoiceAgent:RecordingsPath</c>: starts each consented recording and, as an erasure
/// participant, deletes every recording of an erased customer. Finding them needs no index: each recording's sidecar
/// (or, while the call runs, its <c>.partial</c> marker) names the customer, so erasure reads the small JSON files of
/// the customer's tenant folder. Recordings still being written on this node are stopped and deleted at once.
/// </summary>
public sealed class CallRecordings : IErasureParticipant
{
    private const int MaxMarkerBytes = 1024 * 1024;
    private readonly ConcurrentDictionary<(string Tenant, string CallRef), CallRecording> _active = new();
    private readonly ILogger<CallRecordings> _logger;

    public CallRecordings(VoiceAgentOptions options, ILogger<CallRecordings> logger)
    {
        Root = string.IsNullOrWhiteSpace(options.RecordingsPath) ? null : options.RecordingsPath;
        _logger = logger;
    }

    /// <summary>The recordings folder; null when recording is off.</summary>
    public string? Root { get; }

    public string Name => "call-recordings";

    /// <summary>Recordings being written on this node now.</summary>
    public int Active => _active.Count;

    public string FolderOf(string tenant) => Path.Combine(Root ?? throw new InvalidOperationException("Recording is off (VoiceAgent:RecordingsPath is empty)."), tenant);

    /// <summary>Starts recording a call whose caller consented; the recording is tracked until it is finished or discarded.</summary>
    public CallRecording Start(string tenant, string callRef)
    {
        var recording = new CallRecording(FolderOf(tenant), callRef, tenant, ended: r => _active.TryRemove(new((r.Tenant, r.CallRef), r)));
        _active[(tenant, callRef)] = recording;
        return recording;
    }

    public Task<int> EraseAsync(string tenant, string customerId, CancellationToken cancellationToken)
    {
        if (Root is null) return Task.FromResult(0);
        var removed = 0;
        // Calls still running first; a recording that finished meanwhile has its sidecar on disk for the sweep below.
        foreach (var recording in _active.Values)
            if (recording.Tenant == tenant && recording.CustomerId == customerId && Discard(recording))
                removed++;

        var folder = FolderOf(tenant);
        if (!Directory.Exists(folder)) return Task.FromResult(removed);
        var owned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var marker in Directory.EnumerateFiles(folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var extension = Path.GetExtension(marker);
            if (extension is not (CallRecording.SidecarExtension or CallRecording.PartialExtension)) continue;
            if (OwnerOf(marker) == customerId) owned.Add(Path.GetFileNameWithoutExtension(marker));
        }

        List<Exception> failures = [];
        foreach (var callRef in owned)
        {
            // A call that named the customer after the first pass: stop it rather than delete files it still writes.
            if (_active.TryGetValue((tenant, callRef), out var running) && Discard(running))
            {
                removed++;
                continue;
            }
            try
            {
                // The audio first, the files naming the customer last: a retry still finds whatever a failure left.
                File.Delete(Path.Combine(folder, callRef + ".wav"));
                File.Delete(Path.Combine(folder, callRef + CallRecording.PartialExtension));
                File.Delete(Path.Combine(folder, callRef + CallRecording.SidecarExtension));
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
            throw new IOException($"{failures.Count} of {owned.Count} call recordings of customer {customerId} could not be deleted ({failures[0].Message}).",
                failures.Count == 1 ? failures[0] : new AggregateException(failures));
        return Task.FromResult(removed);
    }

    private bool Discard(CallRecording recording)
    {
        if (!recording.Discard()) return false;
        _logger.LogInformation("Recording of call {CallRef} in progress stopped and deleted: customer {CustomerId} is being erased", recording.CallRef, recording.CustomerId);
        return true;
    }

    /// <summary>The customer id a sidecar or marker names; null when it names none or cannot be read (logged: no one can be sure whose it is).</summary>
    private string? OwnerOf(string marker)
    {
        try
        {
            var info = new FileInfo(marker);
            if (info.Length > MaxMarkerBytes) throw new InvalidDataException("too large for a sidecar");
            var reader = new Utf8JsonReader(File.ReadAllBytes(marker));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCustomer = reader.ValueTextEquals("customerId"u8);
                reader.Read();
                if (isCustomer) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            return null;
        }
        catch (FileNotFoundException)
        {
            return null; // finished or erased meanwhile
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Recording sidecar {File} could not be read during an erasure, so it was not attributed to anyone: {Reason}",
                Path.GetFileName(marker), e.Message);
            return null;
        }
    }
}

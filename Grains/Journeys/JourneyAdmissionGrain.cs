using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// One shard of a journey's audience. <see cref="Admit"/> writes a batch of rows as one record of its own stream
/// (<c>journey-admission/&lt;shard&gt;/&lt;n&gt;</c>), then the batch's number and its rows' key hashes to the shard's
/// journal, and answers: two appends that the embedded store's group commit shares with every other shard's. A
/// background loop then enrols the admitted batches, oldest first and a few at once (each number's customer registered through the ingress,
/// then its enrolment grain, whose first step runs as before), deletes the batch's stream and records it done. A row is
/// admitted once per run (the 128-bit hash of its key is kept for the run); a batch cut short by a crash is enrolled
/// again, which the enrolment grains answer as already enrolled, so nothing admitted is lost or enrolled twice. Only
/// the batches being enrolled are in memory; the rest waits on disk. A reminder wakes a shard that still has batches after
/// a restart. Numbers are sealed (AES-GCM, a key derived from the master key and the shard's own salt) before they are
/// written: the journal holds pseudonyms, sealed numbers, zones and attributes, never a raw number.
/// </summary>
[Reentrant]
public sealed class JourneyAdmissionGrain(IJournalStore journalStore, Serializer serializer, CustomerKeys keys, JourneyRunCache runs,
    ILogger<JourneyAdmissionGrain> logger) : Grain, IJourneyAdmissionGrain, IRemindable
{
    private const string ReminderName = "journey-admission";
    /// <summary>Enough records between snapshots that the run's key hashes (16 bytes a row) are rewritten rarely.</summary>
    private const int SnapshotEvery = 256;
    /// <summary>
    /// Batches a shard enrols at once (about 64 rows each): a batch waits for its slowest row's chain of calls and journal
    /// commits, so one at a time left the cores idle between them.
    /// </summary>
    private const int BatchesInFlight = 4;

    /// <summary>
    /// Intake first: while rows keep arriving (an admission within this time), the drain waits before each batch, up to
    /// <see cref="MaxYield"/>, so an upload is not slowed by the first steps of its own rows (which the journey's pacing
    /// spreads out anyway); it still enrols a batch per shard at least that often.
    /// </summary>
    private static readonly TimeSpan IntakeQuiet = TimeSpan.FromMilliseconds(500), MaxYield = TimeSpan.FromSeconds(5);

    private string _tenant = "", _journey = "";
    private GrainJournal<AdmissionState, AdmissionChange> _store = null!;
    private PiiVault? _vault;
    private Task? _drain;
    private bool _reminder;
    private long _nextBatch;
    private long _lastAdmit;

    public static string StreamOf(string key) => "journey-admission/" + key;

    private string BatchStream(long batch) => StreamOf(this.GetPrimaryKeyString()) + "/" + batch;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _journey, _) = JourneyAdmission.Parse(this.GetPrimaryKeyString());
        _store = new GrainJournal<AdmissionState, AdmissionChange>(journalStore, serializer, StreamOf(this.GetPrimaryKeyString()), AdmissionState.Apply, SnapshotEvery);
        await _store.LoadAsync();
        _nextBatch = _store.State.NextBatch;
        _reminder = _store.State.Batches.Count > 0;
        if (_reminder) StartDrain();
    }

    public async Task<IReadOnlyList<EnrolOutcome>> Admit(string run, IReadOnlyList<AdmissionRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var outcomes = new EnrolOutcome[rows.Count];
        _lastAdmit = Stopwatch.GetTimestamp();
        var current = await runs.GetAsync(GrainFactory, _tenant, _journey);
        if (current is null || current.Status != JourneyRunStatus.Running || current.Run != run)
        {
            Array.Fill(outcomes, EnrolOutcome.JourneyNotRunning);
            return outcomes;
        }
        var state = _store.State;
        var change = new AdmissionChange { Run = run };
        if (state.Salt is null) change.Salt = state.Salt = RandomNumberGenerator.GetBytes(32);
        if (state.Run != run) AdmissionState.StartRun(state, run); // a new run: the same customers may be enrolled again
        var vault = Vault();
        var seen = state.SeenSet();
        var batch = new AdmissionBatch();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var hash = HashOf(row.Key);
            // Reserved at once (calls interleave): a failed write deactivates the shard, which reloads what is durable.
            if (!seen.Add(hash)) { outcomes[i] = EnrolOutcome.AlreadyEnrolled; continue; }
            outcomes[i] = EnrolOutcome.Enrolled;
            change.Hashes.Add((ulong)(hash >> 64));
            change.Hashes.Add((ulong)hash);
            batch.Rows.Add(new AdmittedRow
            {
                Key = row.Key, CustomerId = row.CustomerId,
                SealedPhone = row.Phone is null ? null : vault.Seal(row.Key, row.Phone),
                Attributes = new Dictionary<string, string>(row.Attributes, StringComparer.Ordinal),
                TimeZones = [.. row.TimeZones], Region = row.Region,
            });
        }
        if (batch.Rows.Count == 0) return outcomes;
        change.Batch = _nextBatch++;
        change.Count = batch.Rows.Count;
        try
        {
            // The rows first: a batch the shard's journal names is always on disk.
            await WriteBatch(BatchStream(change.Batch), serializer.SerializeToArray(batch));
            AdmissionState.Apply(state, change);
            await _store.AppendAsync(change);
        }
        catch
        {
            DeactivateOnIdle(); // memory is ahead of the store: the next call reloads
            throw;
        }
        if (!_reminder)
        {
            // One reminder per shard while it has batches, so a restart resumes them.
            _reminder = true;
            await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        StartDrain();
        return outcomes;
    }

    /// <summary>
    /// A batch's rows as its stream's snapshot. A number is reused after a write that failed (the shard reloaded without
    /// it), so a stream left by that write is overwritten: its rows were never acknowledged.
    /// </summary>
    private async Task WriteBatch(string stream, byte[] payload)
    {
        try
        {
            await journalStore.AppendAsync(stream, 0, JournalRecordKind.Snapshot, payload);
        }
        catch (JournalConflictException)
        {
            var version = (await journalStore.ReadAsync(stream)).Version;
            await journalStore.AppendAsync(stream, version, JournalRecordKind.Snapshot, payload);
        }
    }

    /// <summary>
    /// Rows not yet recorded enrolled. A batch's done record is applied before it is written, so the count waits for the
    /// write in flight: zero means the journal on disk says so too.
    /// </summary>
    public async Task<int> Pending()
    {
        try { await _store.LastWrite; }
        catch (Exception e) when (e is not OutOfMemoryException) { /* the drain deactivates the shard; memory is still the answer */ }
        return _store.State.Counts.Sum();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminder = true;
        StartDrain();
        return Task.CompletedTask;
    }

    private void StartDrain()
    {
        if (_drain is { IsCompleted: false }) return;
        _drain = Drain();
    }

    /// <summary>
    /// Enrols the admitted batches, oldest first, <see cref="BatchesInFlight"/> at a time; a batch is recorded done once
    /// all of its rows are enrolled (batches may finish out of order: the journal keeps the rest).
    /// </summary>
    private async Task Drain()
    {
        await Task.Yield();
        var failures = 0;
        var running = new Dictionary<Task<bool>, long>();
        while (_store.State.Batches.Count > 0 || running.Count > 0)
        {
            DelayDeactivation(TimeSpan.FromMinutes(5)); // one writer per stream: this activation stays while it drains
            if (running.Count < BatchesInFlight && NextBatch(running) is { } next)
            {
                if (running.Count == 0)
                {
                    var yielded = Stopwatch.GetTimestamp();
                    while (Stopwatch.GetElapsedTime(_lastAdmit) < IntakeQuiet && Stopwatch.GetElapsedTime(yielded) < MaxYield)
                        await Task.Delay(IntakeQuiet / 5);
                }
                // While rows keep arriving, one batch at a time (intake first); otherwise up to the limit.
                if (running.Count == 0 || Stopwatch.GetElapsedTime(_lastAdmit) >= IntakeQuiet)
                {
                    running[EnrolBatch(next)] = next;
                    continue;
                }
            }
            if (running.Count == 0) continue;
            var finished = await Task.WhenAny(running.Keys);
            var number = running[finished];
            running.Remove(finished);
            if (!await finished)
            {
                // Enrolling is idempotent: the whole batch is tried again, later, however much of it went through.
                if (++failures % 10 == 1) logger.LogWarning("Journey {Journey} admission shard {Shard}: batch {Batch} not fully enrolled yet; retrying",
                    _journey, this.GetPrimaryKeyString(), number);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, failures)));
                continue;
            }
            failures = 0;
            var done = new AdmissionChange { Done = number };
            AdmissionState.Apply(_store.State, done);
            try
            {
                await _store.AppendAsync(done);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Journey {Journey} admission shard {Shard}: recording an enrolled batch failed", _journey, this.GetPrimaryKeyString());
                DeactivateOnIdle(); // the batches still running are enrolled again after the reload, which they answer as already enrolled
                return;
            }
        }
        if (_reminder)
        {
            _reminder = false;
            try
            {
                if (await this.GetReminder(ReminderName) is { } r) await this.UnregisterReminder(r);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A batch admitted meanwhile registered it again; it fires once for nothing at worst.
                logger.LogDebug(e, "Journey {Journey} admission shard {Shard}: the reminder stays", _journey, this.GetPrimaryKeyString());
            }
            // Batches admitted while the reminder went: they need it again.
            if (_store.State.Batches.Count > 0)
            {
                _reminder = true;
                await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
                StartDrainLater();
            }
        }
    }

    /// <summary>The oldest admitted batch not being enrolled now.</summary>
    private long? NextBatch(Dictionary<Task<bool>, long> running)
    {
        foreach (var number in _store.State.Batches)
            if (!running.ContainsValue(number)) return number;
        return null;
    }

    /// <summary>Enrols every row of one batch (idempotent), then deletes its stream; false when a row or the stream failed.</summary>
    private async Task<bool> EnrolBatch(long number)
    {
        try
        {
            var stream = BatchStream(number);
            var run = _store.State.RunOf(number);
            var contents = await journalStore.ReadAsync(stream);
            // No rows: the batch was enrolled and its stream deleted just before a crash.
            var batch = contents.Snapshot is { } bytes ? serializer.Deserialize<AdmissionBatch>(bytes) ?? new AdmissionBatch() : new AdmissionBatch();
            var results = await Task.WhenAll(batch.Rows.Select(r => EnrolOne(run, r)));
            if (!results.All(x => x)) return false;
            await journalStore.DeleteAsync(stream);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Journey {Journey} admission shard {Shard}: batch {Batch} could not be read or removed", _journey, this.GetPrimaryKeyString(), number);
            return false;
        }
    }

    private void StartDrainLater() => this.RegisterGrainTimer(_ => { StartDrain(); return Task.CompletedTask; }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));

    private async Task<bool> EnrolOne(string run, AdmittedRow row)
    {
        try
        {
            var customerId = row.CustomerId;
            if (customerId is null)
            {
                // The number's customer, created now when nobody has it yet (what its first message would reach).
                var phone = new ChannelAddress(AddressKind.Phone, Vault().Open(row.Key, row.SealedPhone!));
                customerId = await ConversationIngress.For(GrainFactory, phone.Value).Register(_tenant, phone);
            }
            await GrainFactory.GetGrain<IJourneyEnrolmentGrain>(JourneyKeys.Enrolment(_tenant, _journey, customerId))
                .Enrol(new EnrolmentRequest(run, row.Attributes, row.TimeZones, row.Region));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "Journey {Journey}: an admitted row could not be enrolled yet", _journey);
            return false;
        }
    }

    private PiiVault Vault() => _vault ??= keys.Vault(_tenant, "journey-admission/" + this.GetPrimaryKeyString(), _store.State.Salt!);

    internal static UInt128 HashOf(string key) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key.AsSpan()));
}

/// <summary>
/// A shard's journal: the run, the salt its numbers are sealed with, the run's row keys (hashed), and the batches admitted
/// and not yet enrolled (their rows are in their own streams).
/// </summary>
[GenerateSerializer, Alias("journey-admission-state")]
public sealed class AdmissionState
{
    [Id(0)] public string? Run { get; set; }
    [Id(1)] public byte[]? Salt { get; set; }
    /// <summary>The run's row keys as 128-bit hashes, two words each (upper, lower).</summary>
    [Id(2)] public List<ulong> Seen { get; set; } = [];
    /// <summary>Admitted batches not yet enrolled, in order, with their row counts and runs.</summary>
    [Id(3)] public List<long> Batches { get; set; } = [];
    [Id(4)] public List<int> Counts { get; set; } = [];
    [Id(5)] public List<string> Runs { get; set; } = [];
    [Id(6)] public long NextBatch { get; set; }

    /// <summary><see cref="Seen"/> as a set: not stored, built from the list on first use after a load.</summary>
    public HashSet<UInt128> SeenSet()
    {
        if (_seenSet is null)
        {
            _seenSet = new HashSet<UInt128>(Seen.Count / 2);
            for (var i = 0; i + 1 < Seen.Count; i += 2) _seenSet.Add(new UInt128(Seen[i], Seen[i + 1]));
        }
        return _seenSet;
    }

    [NonSerialized] private HashSet<UInt128>? _seenSet;

    public string RunOf(long batch) => Runs[Batches.IndexOf(batch)];

    public static void StartRun(AdmissionState state, string run)
    {
        state.Run = run;
        state.Seen.Clear();
        state.SeenSet().Clear();
    }

    public static void Apply(AdmissionState state, AdmissionChange change)
    {
        if (change.Salt is not null) state.Salt = change.Salt;
        if (change.Count > 0)
        {
            if (state.Run != change.Run) StartRun(state, change.Run!);
            var set = state.SeenSet();
            for (var i = 0; i + 1 < change.Hashes.Count; i += 2)
            {
                set.Add(new UInt128(change.Hashes[i], change.Hashes[i + 1])); // already there when it was reserved live
                state.Seen.Add(change.Hashes[i]);
                state.Seen.Add(change.Hashes[i + 1]);
            }
            // Batches are numbered when admitted but may reach the journal out of order: kept sorted.
            var at = state.Batches.BinarySearch(change.Batch);
            if (at < 0) at = ~at;
            state.Batches.Insert(at, change.Batch);
            state.Counts.Insert(at, change.Count);
            state.Runs.Insert(at, change.Run!);
            state.NextBatch = Math.Max(state.NextBatch, change.Batch + 1);
        }
        if (change.Done is { } done && state.Batches.IndexOf(done) is var index and >= 0)
        {
            state.Batches.RemoveAt(index);
            state.Counts.RemoveAt(index);
            state.Runs.RemoveAt(index);
        }
    }
}

/// <summary>One journal record: a batch admitted (its number, row count and key hashes; the salt on the shard's first), or a batch enrolled.</summary>
[GenerateSerializer, Alias("journey-admission-change")]
public sealed class AdmissionChange
{
    [Id(0)] public string? Run { get; set; }
    [Id(1)] public byte[]? Salt { get; set; }
    [Id(2)] public List<ulong> Hashes { get; set; } = [];
    [Id(3)] public long Batch { get; set; }
    [Id(4)] public int Count { get; set; }
    [Id(5)] public long? Done { get; set; }
}

/// <summary>The rows of one admitted batch, in their own stream.</summary>
[GenerateSerializer, Alias("journey-admission-batch")]
public sealed class AdmissionBatch
{
    [Id(0)] public List<AdmittedRow> Rows { get; set; } = [];
}

[GenerateSerializer, Alias("journey-admitted-row")]
public sealed class AdmittedRow
{
    [Id(0)] public string Key { get; set; } = "";
    [Id(1)] public string? CustomerId { get; set; }
    /// <summary>The number sealed with the shard's vault (token: the row key); null for a row by customer id.</summary>
    [Id(2)] public byte[]? SealedPhone { get; set; }
    [Id(3)] public Dictionary<string, string> Attributes { get; set; } = [];
    [Id(4)] public List<string> TimeZones { get; set; } = [];
    [Id(5)] public string? Region { get; set; }
}

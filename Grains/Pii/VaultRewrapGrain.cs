using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Interfaces.Pii;
using Switchboard.Grains.Journaling;

namespace Switchboard.Grains.Pii;

/// <summary>
/// The rewrap of every vault after a master key rotation (<see cref="IVaultRewrapGrain"/>). A pass walks the journal's
/// customer streams a page at a time (<see cref="IJournalStore.ListStreamsAsync"/>), asks each customer to rewrap its
/// own vault (<see cref="ICustomerGrain.RewrapVault"/>, a few at once), and after each page writes its cursor and
/// counts to its own stream before going on. A pass interrupted by a restart or a dead silo resumes from the last
/// page written: a reminder wakes the job on any silo, and a page done twice rewraps nothing the second time.
/// While older master keys still root address pseudonyms, the pass also re-keys each customer's addresses: every
/// identity still bound under an older key's pseudonym is bound under the active key's and removed from the old one
/// (<see cref="AddressPseudonyms.RekeyAsync"/>), so after a pass with nothing failed no address depends on the old key.
/// Each customer also reseals the addresses its own journal stores (<see cref="ICustomerGrain.ResealAddresses"/>):
/// under the active key and pseudonym, and for the first time where an older engine wrote them in clear.
/// </summary>
public sealed class VaultRewrapGrain(IServiceProvider services, Serializer serializer, CustomerKeys keys, AddressPseudonyms pseudonyms, TimeProvider time, ILogger<VaultRewrapGrain> logger)
    : Grain, IVaultRewrapGrain, IRemindable
{
    /// <summary>The job's own stream (not a listed one).</summary>
    public const string StreamName = "vault-rewrap/0";
    public const int PageSize = 64;
    /// <summary>Customers rewrapped at once: each rewrap is one journal append, so a few share the store's flushes.</summary>
    public const int Parallelism = 8;
    public const int FailuresKept = 100;
    private const string ReminderName = "vault-rewrap";
    /// <summary>How often an information line reports a running pass.</summary>
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    private IJournalStore _store = null!;
    private GrainJournal<VaultRewrapJob, VaultRewrapJob> _journal = null!;
    private IGrainTimer? _timer;
    private long _lastReport;
    private VaultRewrapProgress? _reported;

    private VaultRewrapJob J => _journal.State;

    private static string KeyName(string? id) => id ?? "legacy";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = services.GetService<IJournalStore>() ?? throw new InvalidOperationException("The vault rewrap needs the journal store (Storage:Provider).");
        _journal = new GrainJournal<VaultRewrapJob, VaultRewrapJob>(_store, serializer, StreamName, static (_, _) => { }, snapshotEvery: 1);
        await _journal.LoadAsync();
        if (J.Running)
        {
            J.Resumptions++;
            logger.LogInformation("Vault rewrap pass {Pass} resumed after {Customers} customers", J.Pass, J.Visited);
            StartTimer();
        }
    }

    public async Task<VaultRewrapProgress> Start(string actor)
    {
        if (J.Running)
        {
            StartTimer();
            return Progress(J);
        }
        var pass = J.Pass + 1;
        _journal.State.Reset(pass, KeyName(keys.ActiveMasterKeyId), actor, time.GetUtcNow());
        await _journal.SnapshotAsync();
        _reported = Progress(J);
        await KeepAwake();
        logger.LogInformation("Vault rewrap pass {Pass} started by {Actor}: sealing every vault under master key {Key}", pass, actor, J.TargetKey);
        _lastReport = time.GetTimestamp();
        StartTimer();
        return Progress(J);
    }

    /// <summary>
    /// What the last durable step reported (the pass's state is changed in place while a page is written, and progress
    /// interleaves with the page: it must not say "done" before the pass is on disk and its last line logged).
    /// </summary>
    public Task<VaultRewrapProgress> Progress() => Task.FromResult(_reported ?? Progress(J));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The activation resumed the pass already (OnActivateAsync); a reminder left after a finished pass goes.
        if (J.Running) StartTimer();
        else return Forget();
        return Task.CompletedTask;
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(Page, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(1)) { KeepAlive = true, Interleave = false });

    /// <summary>One page: rewrap its customers, then make the cursor and the counts durable.</summary>
    private async Task Page(CancellationToken cancellationToken)
    {
        if (!J.Running) { StopTimer(); return; }
        var active = KeyName(keys.ActiveMasterKeyId);
        if (J.TargetKey != active)
        {
            // The silos were restarted with another active key mid-pass: what was done was sealed under the old one.
            logger.LogWarning("Vault rewrap pass {Pass}: the active master key is now {Key}, not {Old}; starting over", J.Pass, active, J.TargetKey);
            J.Reset(J.Pass, active, J.StartedBy ?? "", time.GetUtcNow());
        }
        var page = await _store.ListStreamsAsync(JournalListing.CustomerPrefix, J.Cursor, PageSize);
        var customers = page.Streams.Select(CustomerOf).OfType<string>().ToList();
        var results = new List<(string Customer, int Moved, int Rekeyed, int Resealed, Exception? Error)>(customers.Count);
        foreach (var chunk in customers.Chunk(Parallelism))
            results.AddRange(await Task.WhenAll(chunk.Select(Rewrap)));
        foreach (var (customer, moved, rekeyed, resealed, error) in results)
        {
            J.Visited++;
            J.Rewrapped += moved;
            J.AddressesRekeyed += rekeyed;
            J.AddressesResealed += resealed;
            if (error is null) continue;
            J.Failed++;
            if (J.FailedCustomers.Count < FailuresKept) J.FailedCustomers.Add(customer);
            logger.LogWarning("Vault rewrap of customer {Customer} failed: {Error}", customer, error.GetType().Name + ": " + error.Message);
        }
        J.Cursor = page.Cursor;
        if (page.Cursor is null)
        {
            J.Running = false;
            J.FinishedAt = time.GetUtcNow();
        }
        await _journal.SnapshotAsync();
        if (J.Running)
        {
            _reported = Progress(J);
            if (time.GetElapsedTime(_lastReport) < ReportEvery) return;
            _lastReport = time.GetTimestamp();
            logger.LogInformation("Vault rewrap pass {Pass}: {Customers} customers, {Values} values rewrapped, {Addresses} addresses re-keyed, {Resealed} addresses resealed, {Failed} failed so far",
                J.Pass, J.Visited, J.Rewrapped, J.AddressesRekeyed, J.AddressesResealed, J.Failed);
            return;
        }
        logger.LogInformation("Vault rewrap pass {Pass} done: {Customers} customers, {Values} values rewrapped, {Addresses} addresses re-keyed and {Resealed} addresses resealed under {Key}, {Failed} failed",
            J.Pass, J.Visited, J.Rewrapped, J.AddressesRekeyed, J.AddressesResealed, J.TargetKey, J.Failed);
        _reported = Progress(J);
        StopTimer();
        await Forget();
    }

    private async Task<(string, int, int, int, Exception?)> Rewrap(string customer)
    {
        int moved = 0, resealed = 0;
        try
        {
            var grain = GrainFactory.GetGrain<ICustomerGrain>(customer);
            moved = await grain.RewrapVault();
            resealed = await grain.ResealAddresses();
            return (customer, moved, pseudonyms.Rotating ? await Rekey(grain) : 0, resealed, null);
        }
        catch (Exception e) { return (customer, moved, 0, resealed, e); }
    }

    /// <summary>Moves the customer's addresses still bound under an older key's pseudonym to the active key's.</summary>
    private async Task<int> Rekey(ICustomerGrain customer)
    {
        CustomerView view;
        try { view = await customer.GetView(); }
        catch (UnknownCustomerException) { return 0; } // erased while the page was listed
        var rekeyed = 0;
        foreach (var address in view.Addresses)
            rekeyed += await pseudonyms.RekeyAsync(GrainFactory, view.Tenant, address);
        return rekeyed;
    }

    /// <summary>The customer grain key of a customer stream (<c>customer/{tenant}/{id}</c>).</summary>
    private static string? CustomerOf(string stream) =>
        stream.Split('/') is ["customer", var tenant, var id] && tenant.Length > 0 && id.Length > 0 ? GrainKeys.Customer(tenant, id) : null;

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>A reminder wakes the job on a surviving silo should this activation be lost mid-pass.</summary>
    private async Task KeepAwake()
    {
        try { await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)); }
        catch (Exception e) when (e is InvalidOperationException or Orleans.Runtime.OrleansException)
        {
            logger.LogWarning("Vault rewrap: no reminder service ({Error}); an interrupted pass resumes at the next start or progress call", e.Message);
        }
    }

    private async Task Forget()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } r) await this.UnregisterReminder(r);
        }
        catch (Exception e) when (e is InvalidOperationException or Orleans.Runtime.OrleansException)
        {
            logger.LogDebug("Vault rewrap: no reminder to remove ({Error})", e.Message);
        }
    }

    private static VaultRewrapProgress Progress(VaultRewrapJob j) => new(
        j.Pass == 0 ? "idle" : j.Running ? "running" : "done", j.TargetKey ?? "", j.Pass, j.Visited, j.Rewrapped, j.Failed,
        [.. j.FailedCustomers], j.StartedBy, j.StartedAt, j.FinishedAt, j.Resumptions, j.AddressesRekeyed, j.AddressesResealed);
}

/// <summary>The rewrap job's durable state: the pass, where it is (the listing cursor) and what it counted.</summary>
[GenerateSerializer, Alias("vault-rewrap-job")]
public sealed class VaultRewrapJob
{
    [Id(0)] public int Pass { get; set; }
    [Id(1)] public bool Running { get; set; }
    [Id(2)] public string? TargetKey { get; set; }
    [Id(3)] public string? Cursor { get; set; }
    [Id(4)] public long Visited { get; set; }
    [Id(5)] public long Rewrapped { get; set; }
    [Id(6)] public long Failed { get; set; }
    [Id(7)] public List<string> FailedCustomers { get; set; } = [];
    [Id(8)] public string? StartedBy { get; set; }
    [Id(9)] public DateTimeOffset? StartedAt { get; set; }
    [Id(10)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(11)] public int Resumptions { get; set; }
    [Id(12)] public long AddressesRekeyed { get; set; }
    [Id(13)] public long AddressesResealed { get; set; }

    public void Reset(int pass, string targetKey, string actor, DateTimeOffset now)
    {
        Pass = pass;
        Running = true;
        TargetKey = targetKey;
        Cursor = null;
        Visited = Rewrapped = Failed = AddressesRekeyed = AddressesResealed = 0;
        FailedCustomers = [];
        StartedBy = actor;
        StartedAt = now;
        FinishedAt = null;
        Resumptions = 0;
    }
}

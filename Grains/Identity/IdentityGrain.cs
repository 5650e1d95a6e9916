using Orleans.Serialization;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Journaling;

namespace Switchboard.Grains.Identity;

[GenerateSerializer, Alias("identity-state")]
public sealed class IdentityState
{
    [Id(0)] public string? CustomerId { get; set; }
}

/// <summary>
/// One address (keyed by its pseudonym) and the customer it belongs to; kept in the journal as one tiny snapshot per change.
/// It is asked at a customer's first contact and when a silo's <see cref="IdentityBindingCache"/> misses, not on every
/// turn, so it does not stay resident: each call ends with <see cref="Grain.DeactivateOnIdle"/> (the binding is on disk
/// before the call returns; the next call reactivates it from one journal record). Kept resident it cost about 2 KB per
/// customer (the Orleans activation, its directory entries, the journal object and names), docs/performance.md (mem6).
/// </summary>
public sealed class IdentityGrain(IJournalStore journalStore, Serializer serializer) : Grain, IIdentityGrain
{
    private GrainJournal<IdentityState, IdentityState> _journal = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _journal = new GrainJournal<IdentityState, IdentityState>(journalStore, serializer, "identity/" + this.GetPrimaryKeyString(),
            static (state, change) => state.CustomerId = change.CustomerId, snapshotEvery: 1);
        return _journal.LoadAsync();
    }

    public Task<string?> GetCustomerId()
    {
        DeactivateOnIdle();
        return Task.FromResult(_journal.State.CustomerId);
    }

    public async Task<string> GetOrBind(string candidateCustomerId)
    {
        DeactivateOnIdle();
        if (_journal.State.CustomerId is { } existing) return existing;
        await Set(candidateCustomerId);
        return candidateCustomerId;
    }

    public async Task Bind(string customerId)
    {
        DeactivateOnIdle();
        if (_journal.State.CustomerId == customerId) return;
        await Set(customerId);
    }

    public async Task<string?> BindIf(string? expected, string customerId)
    {
        DeactivateOnIdle();
        if (_journal.State.CustomerId != expected) return _journal.State.CustomerId;
        if (expected != customerId) await Set(customerId);
        return customerId;
    }

    public async Task Unbind(string customerId)
    {
        if (_journal.State.CustomerId != customerId) return;
        await _journal.DeleteAsync();
        DeactivateOnIdle();
    }

    private async Task Set(string customerId)
    {
        _journal.State.CustomerId = customerId;
        try
        {
            await _journal.SnapshotAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }
}

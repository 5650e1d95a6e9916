using Orleans.Serialization;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journaling;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// Who waits on one customer's next move (see <see cref="IJourneyWaitersGrain"/>): a journal stream of whole snapshots
/// (<c>journey-waiters/&lt;tenant&gt;/&lt;customer&gt;</c>), like the enrolments and the ledger, so the set survives a
/// deactivation and a restart. The customer's own flag (<see cref="ICustomerGrain.JourneysWaiting"/>, in its state) is
/// set before a new waiter is stored here, and cleared lazily: when a turn reports to an empty set.
/// </summary>
/// <remarks>
/// Not reentrant: the calls to the customer grain (arm, done) are made one at a time in the order of the changes to the
/// set, so the customer's flag ends as the set does. The customer never waits on this grain (its report is one-way), nor
/// does this grain on an enrolment (the wakes are one-way), so nothing can deadlock.
/// </remarks>
public sealed class JourneyWaitersGrain(IJournalStore journalStore, Serializer serializer) : Grain, IJourneyWaitersGrain
{
    private GrainJournal<JourneyWaitersState, JourneyWaitersState> _store = null!;

    private HashSet<string> Waiting => _store.State.Waiting;

    private ICustomerGrain Customer => GrainFactory.GetGrain<ICustomerGrain>(this.GetPrimaryKeyString());

    public static string StreamOf(string key) => "journey-waiters/" + key;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new GrainJournal<JourneyWaitersState, JourneyWaitersState>(journalStore, serializer, StreamOf(this.GetPrimaryKeyString()), static (_, _) => { }, snapshotEvery: 1);
        await _store.LoadAsync();
    }

    public async Task Listen(string enrolmentKey)
    {
        if (Waiting.Contains(enrolmentKey)) return;
        // The customer first (it writes only if its flag flips): a waiter stored here always has an armed customer,
        // and a failure in between leaves at worst an armed customer, whose next turn finds the set empty and clears it.
        await Customer.JourneysWaiting();
        Waiting.Add(enrolmentKey);
        await Save();
    }

    public async Task Forget(string enrolmentKey)
    {
        if (!Waiting.Remove(enrolmentKey)) return;
        // The customer's flag stays: most waits end at their deadline with no reply, and clearing it would cost the
        // customer a write each time; its next turn (if any) finds the set empty and clears it then (CustomerActed).
        await Save();
        if (Waiting.Count == 0) DeactivateOnIdle();
    }

    public async Task CustomerActed()
    {
        if (Waiting.Count == 0)
        {
            await Customer.JourneysDone();
            DeactivateOnIdle();
            return;
        }
        // Those woken stay in the set until they move on (Forget): a wait for an intent may need the next move too.
        foreach (var key in Waiting) GrainFactory.GetGrain<IJourneyEnrolmentGrain>(key).Wake().Ignore();
    }

    private async Task Save()
    {
        try
        {
            await _store.SnapshotAsync();
        }
        catch
        {
            // Memory is ahead of the store: reload from the store on the next call.
            DeactivateOnIdle();
            throw;
        }
    }
}

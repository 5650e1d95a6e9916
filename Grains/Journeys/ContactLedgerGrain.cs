using Orleans.Serialization;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journaling;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>One customer's touches across journeys: reserving a touch checks the tenant's caps and records it in one turn, so two journeys cannot both take the last unit.</summary>
public sealed class ContactLedgerGrain(IJournalStore journalStore, Serializer serializer, JourneyDirectory directory, TimeProvider time) : Grain, IContactLedgerGrain
{
    // A journal stream of whole snapshots, like the enrolments: concurrent reservations share the log's commits.
    private GrainJournal<ContactLedgerState, ContactLedgerState> _store = null!;

    private ContactLedgerState State => _store.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new GrainJournal<ContactLedgerState, ContactLedgerState>(journalStore, serializer, "journey-ledger/" + this.GetPrimaryKeyString(), static (_, _) => { }, snapshotEvery: 1);
        await _store.LoadAsync();
    }

    public async Task<DateTimeOffset?> Reserve(ContactTouch touch)
    {
        if (State.Touches.Any(t => t.Key == touch.Key)) return null;
        var tenant = this.GetPrimaryKeyString().Split('/')[0];
        var rules = directory.RulesOf(tenant);
        var touches = Touches(time.GetUtcNow() - rules.Caps.Select(c => c.Window).DefaultIfEmpty(TimeSpan.Zero).Max());
        DateTimeOffset? room = null;
        foreach (var cap in rules.Caps)
            if (cap.NextRoom(touches, touch.Purpose, touch.At) is { } r && (room is null || r > room)) room = r;
        if (room is not null) return room;
        State.Touches.Add(touch);
        try
        {
            await _store.SnapshotAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
        return null;
    }

    Task<IReadOnlyList<ContactTouch>> IContactLedgerGrain.Touches() => Task.FromResult<IReadOnlyList<ContactTouch>>(State.Touches);

    private List<Touch> Touches(DateTimeOffset since)
    {
        // Older touches count for no cap any more: drop them so the ledger stays small.
        State.Touches.RemoveAll(t => t.At < since);
        return State.Touches.Select(t => new Touch(t.At, JourneyChannels.TryParse(t.Channel, out var c) ? c : JourneyChannel.Sms, t.Purpose, t.Journey)).ToList();
    }
}

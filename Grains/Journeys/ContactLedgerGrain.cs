using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>One customer's touches across journeys: reserving a touch checks the tenant's caps and records it in one turn, so two journeys cannot both take the last unit.</summary>
public sealed class ContactLedgerGrain(
    [PersistentState("ledger", StorageNames.Main)] IPersistentState<ContactLedgerState> state,
    JourneyDirectory directory, TimeProvider time) : Grain, IContactLedgerGrain
{
    public async Task<DateTimeOffset?> Reserve(ContactTouch touch)
    {
        if (state.State.Touches.Any(t => t.Key == touch.Key)) return null;
        var tenant = this.GetPrimaryKeyString().Split('/')[0];
        var rules = directory.RulesOf(tenant);
        var touches = Touches(time.GetUtcNow() - rules.Caps.Select(c => c.Window).DefaultIfEmpty(TimeSpan.Zero).Max());
        DateTimeOffset? room = null;
        foreach (var cap in rules.Caps)
            if (cap.NextRoom(touches, touch.Purpose, touch.At) is { } r && (room is null || r > room)) room = r;
        if (room is not null) return room;
        state.State.Touches.Add(touch);
        await state.WriteStateAsync();
        return null;
    }

    Task<IReadOnlyList<ContactTouch>> IContactLedgerGrain.Touches() => Task.FromResult<IReadOnlyList<ContactTouch>>(state.State.Touches);

    private List<Touch> Touches(DateTimeOffset since)
    {
        // Older touches count for no cap any more: drop them so the ledger stays small.
        state.State.Touches.RemoveAll(t => t.At < since);
        return state.State.Touches.Select(t => new Touch(t.At, JourneyChannels.TryParse(t.Channel, out var c) ? c : JourneyChannel.Sms, t.Purpose, t.Journey)).ToList();
    }
}

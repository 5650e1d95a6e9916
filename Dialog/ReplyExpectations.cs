using Switchboard.Dialog.Definition;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Dialog;

/// <summary>
/// The expectation hint on a reply: what the pending question of the open flow can be answered with (its slot type,
/// an enumeration's values and synonyms, whether the answer is a secret), read from the state after the step.
/// The voice channel builds its speech grammar from it and pauses call recording for secrets.
/// </summary>
public static class ReplyExpectations
{
    public static ReplyExpectation For(BotDefinition bot, EphemeralContext state)
    {
        var flow = bot.Flow(state.ActiveFlow);
        if (flow is null) return new ReplyExpectation(ReplyExpectation.Menu);
        switch (state.PendingSlot)
        {
            case DialogStepMarkers.Confirm:
            case DialogStepMarkers.Cancel:
                // "Cancel your rebooking to Mumbai?" is answered like a confirmation: yes or no.
                return new ReplyExpectation(ReplyExpectation.Confirm);
            case DialogStepMarkers.Verify:
                return new ReplyExpectation(BuiltinSlotTypes.Number, "verification", Secret: true);
            case DialogStepMarkers.Change:
                return new ReplyExpectation(ReplyExpectation.Change, Phrases: flow.Slots.Select(s => s.Name.Replace('_', ' ')).ToList());
        }
        var slot = flow.Slot(state.PendingSlot);
        if (slot is null) return new ReplyExpectation(ReplyExpectation.Menu);
        var phrases = new List<string>(slot.Options);
        List<string>? codes = null;
        if (bot.Entities.TryGetValue(slot.Type, out var entity))
        {
            foreach (var v in entity.Values)
            {
                phrases.Add(v.Display);
                phrases.AddRange(v.Synonyms);
            }
            codes = entity.Values.Select(v => v.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        return new ReplyExpectation(slot.Type, slot.Name, phrases.Count == 0 ? null : phrases.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), slot.Secret,
            codes is { Count: > 0 } ? codes : null);
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Switchboard.Dialog.Definition;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Dialog;

/// <summary>
/// The expectation hint on a reply: what the pending question of the open flow can be answered with (its slot type,
/// an enumeration's values and synonyms, whether the answer is a secret), read from the state after the step.
/// The voice channel builds its speech grammar from it and pauses call recording for secrets.
/// It depends only on the bot and the (flow, pending slot) pair, so each is built once per bot and shared (the record
/// and its lists are immutable): building it every turn was about 6 % of a dialog turn's time in the customer grain
/// (docs/performance.md, mem6), and a shared instance also costs no memory in each customer's kept replies.
/// </summary>
public static class ReplyExpectations
{
    private static readonly ReplyExpectation MenuExpectation = new(ReplyExpectation.Menu);
    private static readonly ConditionalWeakTable<BotDefinition, ConcurrentDictionary<(string Flow, string? Slot), ReplyExpectation>> Built = new();

    public static ReplyExpectation For(BotDefinition bot, EphemeralContext state)
    {
        if (state.ActiveFlow is null) return MenuExpectation;
        var byStep = Built.GetValue(bot, static _ => new());
        var key = (state.ActiveFlow, state.PendingSlot);
        if (byStep.TryGetValue(key, out var known)) return known;
        var flow = bot.Flow(state.ActiveFlow);
        if (flow is null) return MenuExpectation;
        var built = Build(bot, flow, state.PendingSlot, out var defined);
        // Only steps the bot defines are kept, so the cache is bounded by the bot's flows and slots.
        if (defined) byStep.TryAdd(key, built);
        return built;
    }

    private static ReplyExpectation Build(BotDefinition bot, FlowDefinition flow, string? pendingSlot, out bool defined)
    {
        defined = true;
        switch (pendingSlot)
        {
            case null:
                return MenuExpectation;
            case DialogStepMarkers.Confirm:
            case DialogStepMarkers.Cancel:
                // "Cancel your rebooking to Mumbai?" is answered like a confirmation: yes or no.
                return new ReplyExpectation(ReplyExpectation.Confirm);
            case DialogStepMarkers.Verify:
                return new ReplyExpectation(BuiltinSlotTypes.Number, "verification", Secret: true);
            case DialogStepMarkers.Change:
                return new ReplyExpectation(ReplyExpectation.Change, Phrases: flow.Slots.Select(s => s.Name.Replace('_', ' ')).ToList());
        }
        var slot = flow.Slot(pendingSlot);
        if (slot is null)
        {
            defined = false;
            return MenuExpectation;
        }
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

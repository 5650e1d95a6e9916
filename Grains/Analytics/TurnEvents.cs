using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Customers;
using E = Switchboard.Grains.Interfaces.Analytics.InteractionEvent;

namespace Switchboard.Grains.Analytics;

/// <summary>
/// The interaction events a customer turn implies, built from what the grain already decided: the turn (intent,
/// flow, the slot it waits on), a channel switch with its zero-repeat flag, an escalation offer, a handoff, a flow
/// completed, a consent change. Names only, never text: the slot name stands for the step, not its wording.
/// </summary>
public static class TurnEvents
{
    /// <summary>A stable event id from what identifies the occurrence (a retry of the same message gives the same id).</summary>
    public static string IdOf(string kind, params ReadOnlySpan<string> parts) =>
        kind + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.ToArray()))).AsSpan(0, 12));

    /// <summary>What the grain saw before the engine ran (to tell what this turn changed).</summary>
    public readonly record struct Before(Channel? Previous, int SwitchesWithRepeat, int IntentHistory);

    public static void Publish(IInteractionEvents events, string tenant, string customerId, string messageId, Channel channel,
        DateTimeOffset at, Before before, EngineReply reply, EphemeralContext ephemeral, PersistentIntentContext intent, TimeSpan decided)
    {
        try
        {
            var lastIntent = intent.History.Count > before.IntentHistory ? intent.History[^1].Intent : null;
            var flow = reply.Completed?.Flow ?? ephemeral.ActiveFlow;
            var outcome = reply.Action?.Kind switch
            {
                ReplyActionKind.HandToAgent => "handoff",
                ReplyActionKind.CallUs => "offered-call",
                ReplyActionKind.ContinueOnWeb => "offered-web",
                _ => reply.Completed is not null ? "completed" : "answered",
            };
            E Make(InteractionKind kind, string? outcomeName = null, Channel? from = null, bool? zeroRepeat = null) =>
                new(IdOf(kind.ToString(), tenant, customerId, messageId), kind, tenant, customerId, channel, at,
                    reply.Completed?.Intent ?? lastIntent, flow, StepOf(ephemeral.PendingSlot), outcomeName, from, null,
                    kind == InteractionKind.Turn ? decided.TotalMilliseconds : null, zeroRepeat);
            // A switch is zero-knowledge when the turn that arrived on the new channel asked nothing again.
            if (before.Previous is { } p && p != channel)
                events.Publish(Make(InteractionKind.ChannelSwitch, from: p, zeroRepeat: intent.SwitchesWithRepeat == before.SwitchesWithRepeat));
            events.Publish(Make(InteractionKind.Turn, outcome));
            if (reply.Action?.Kind == ReplyActionKind.CallUs) events.Publish(Make(InteractionKind.EscalationOffered, "call"));
            if (reply.Action?.Kind == ReplyActionKind.ContinueOnWeb) events.Publish(Make(InteractionKind.EscalationOffered, "web"));
            if (reply.Action?.Kind == ReplyActionKind.HandToAgent) events.Publish(Make(InteractionKind.Handoff, "agent"));
            if (reply.Completed is not null) events.Publish(Make(InteractionKind.FlowCompleted, "completed"));
        }
        catch (Exception)
        {
            // Analytics never breaks a turn.
        }
    }

    /// <summary>The slot the flow waits on; the engine's markers (<c>@verify</c>, <c>@confirm</c>) without their sign.</summary>
    private static string? StepOf(string? pendingSlot) => pendingSlot?.TrimStart('@', '_');

    public static void PublishConsent(IInteractionEvents events, string tenant, string customerId, ConsentChange change)
    {
        try
        {
            events.Publish(new E(IdOf("consent", tenant, customerId, change.Channel.ToWire(), change.Purpose.ToWire(), change.At.ToString("O")),
                InteractionKind.ConsentChange, tenant, customerId, change.Channel, change.At,
                Step: change.Purpose.ToWire(), Outcome: change.Status.ToWire()));
        }
        catch (Exception)
        {
            // Analytics never breaks a consent change.
        }
    }
}

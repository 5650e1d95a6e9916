using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Analytics.Events;

/// <summary>Stored and wire names of <see cref="InteractionKind"/> (kebab-case, stable: queries and exports use them).</summary>
public static class KindNames
{
    public static string ToWire(this InteractionKind kind) => kind switch
    {
        InteractionKind.Turn => "turn",
        InteractionKind.ChannelSwitch => "channel-switch",
        InteractionKind.EscalationOffered => "escalation-offered",
        InteractionKind.CallPlaced => "call-placed",
        InteractionKind.CallAnswered => "call-answered",
        InteractionKind.CallCompleted => "call-completed",
        InteractionKind.Handoff => "handoff",
        InteractionKind.Delivery => "delivery",
        InteractionKind.ConsentChange => "consent-change",
        InteractionKind.JourneyStep => "journey-step",
        InteractionKind.FlowCompleted => "flow-completed",
        InteractionKind.JourneyGoal => "journey-goal",
        InteractionKind.MessageSent => "message-sent",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string? wire, out InteractionKind kind)
    {
        foreach (var k in Enum.GetValues<InteractionKind>())
            if (string.Equals(k.ToWire(), wire, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        kind = default;
        return false;
    }
}

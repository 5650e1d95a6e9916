namespace Switchboard.Grains.Analytics;

/// <summary>Where interaction events travel: one Orleans stream provider, batches of events as <c>InteractionEvent[]</c>.</summary>
public static class InteractionStreams
{
    /// <summary>The stream provider's name: memory streams embedded, Event Hubs in production.</summary>
    public const string Provider = "analytics";
    /// <summary>The stream namespace; each publishing process writes to its own stream id in it.</summary>
    public const string Namespace = "interaction-events";
}

using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// How grains publish in a process that keeps the store itself with the embedded transport (roles <c>all</c> and
/// <c>silo</c> without Event Hubs): straight onto the store writer's bounded queue, the per-silo buffer the writer
/// drains in batches of up to 16,384 events a transaction. A turn pays one non-blocking queue write per event: no stream
/// message, no serialization, no ingest grain (gateways and Event Hubs still travel through the stream,
/// <see cref="StreamedInteractionEvents"/>). A full queue drops and counts (<c>EventWriter.Dropped</c>); never waits.
/// </summary>
public sealed class LocalInteractionEvents(AnalyticsStore store) : IInteractionEvents
{
    public void Publish(InteractionEvent e)
    {
        if (e is not null) store.Writer.Enqueue(e);
    }
}

using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Grains.Analytics;

/// <summary>Where the silo's ingest grain hands the batches it receives (the store's writer queue): never waits.</summary>
public interface IInteractionSink
{
    void Accept(IReadOnlyList<InteractionEvent> events);
}

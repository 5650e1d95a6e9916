using Orleans.Streams;
using Orleans.Streams.Core;
using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Grains.Analytics;

/// <summary>A grain that takes one publisher's stream of interaction event batches.</summary>
[Alias("interaction-ingest-grain")]
public interface IInteractionIngestGrain : IGrainWithStringKey;

/// <summary>
/// Subscribed implicitly to every stream in <see cref="InteractionStreams.Namespace"/> (one per publishing process,
/// silo or gateway) and hands each batch to the local <see cref="IInteractionSink"/>: the store's writer validates,
/// dedupes and writes. It keeps no state; a redelivered batch is dropped by the store's event-id key.
/// </summary>
[ImplicitStreamSubscription(InteractionStreams.Namespace)]
public sealed class InteractionIngestGrain(IInteractionSink sink) : Grain, IInteractionIngestGrain, IStreamSubscriptionObserver
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        var handle = handleFactory.Create<InteractionEvent[]>();
        await handle.ResumeAsync(new Observer(sink));
    }

    private sealed class Observer(IInteractionSink sink) : IAsyncObserver<InteractionEvent[]>
    {
        public Task OnNextAsync(InteractionEvent[] item, StreamSequenceToken? token = null)
        {
            sink.Accept(item);
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}

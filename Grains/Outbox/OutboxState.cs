using Switchboard.Grains.Interfaces.Outbox;

namespace Switchboard.Grains.Outbox;

[GenerateSerializer, Alias("outbox-state")]
public sealed class OutboxState
{
    [Id(0)] public List<OutboxEntry> Entries { get; set; } = [];
    /// <summary>Customer id → their last message on this shard's channel; entries older than the window are dropped.</summary>
    [Id(1)] public Dictionary<string, DateTimeOffset> LastInbound { get; set; } = [];
    [Id(2)] public long NextSequence { get; set; }
}

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Switchboard.Bench.Webhooks;

/// <summary>
/// What the process allocates, by type: listens in-process to the runtime's <c>GCAllocationTick</c> event (one per
/// ~100 KB allocated, naming the type whose allocation crossed the mark, and whether it went to the large object heap).
/// A sample, not a count: the bytes per type are the sum of the ticks' amounts. Enabled with <c>--alloc-types</c>.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private ConcurrentDictionary<(string Type, bool Large), long> _bytes = new();
    private long _total;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = Field(e, "TypeName") as string ?? "?";
        var amount = Convert.ToInt64(Field(e, "AllocationAmount64") ?? Field(e, "AllocationAmount") ?? 0L);
        var large = Convert.ToInt32(Field(e, "AllocationKind") ?? 0) == 1;
        _bytes.AddOrUpdate((type, large), amount, (_, v) => v + amount);
        Interlocked.Add(ref _total, amount);
    }

    private static object? Field(EventWrittenEventArgs e, string name)
    {
        var i = e.PayloadNames?.IndexOf(name) ?? -1;
        return i >= 0 ? e.Payload![i] : null;
    }

    public void Reset()
    {
        _bytes = new();
        Interlocked.Exchange(ref _total, 0);
    }

    public void Print(int webhooks, int top = 12)
    {
        var total = Interlocked.Read(ref _total);
        if (total == 0) return;
        Console.WriteLine($"  allocations sampled by type (GCAllocationTick, ~100 KB each; {total / 1024.0 / Math.Max(webhooks, 1):F1} KB per webhook):");
        foreach (var ((type, large), bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(top))
            Console.WriteLine($"    {100.0 * bytes / total,5:F1}%  {bytes / 1024.0 / Math.Max(webhooks, 1),7:F1} KB/webhook  {(large ? "LOH " : "")}{type}");
    }
}

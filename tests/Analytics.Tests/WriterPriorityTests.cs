using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Analytics.Store;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// The writer stores on a thread the kernel schedules below the turns (nice +10 on Linux), so a commit yields the CPU to
/// webhooks; the thread that writes events in is left as it was.
/// </summary>
public sealed class WriterPriorityTests
{
    [Fact]
    public async Task The_writer_thread_runs_at_a_lower_priority_than_its_callers()
    {
        if (!OperatingSystem.IsLinux()) return;
        var before = BackgroundThreadPriority.Current();
        using var store = EventStore.Open(null);
        int? seen = null;
        var writer = new EventWriter(store, NullLogger.Instance) { Stored = _ => seen ??= BackgroundThreadPriority.Current() };
        await using (writer)
        {
            writer.Enqueue(new InteractionEvent("priority:1", InteractionKind.Turn, "airline", $"c-{1:x20}", Channel.WhatsApp,
                DateTimeOffset.UtcNow));
            await writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        Assert.Equal(0, writer.Rejected);
        Assert.Equal(1, store.Count());
        Assert.Equal("nice +10", writer.Priority);
        Assert.Equal(Math.Min(19, before!.Value + BackgroundThreadPriority.Nice), seen);
        Assert.Equal(before, BackgroundThreadPriority.Current());
    }
}

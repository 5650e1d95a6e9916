using System.Runtime;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Memory per active customer: activates N customers with a typical state (a few turns, one consent decision) in one
/// silo and divides the managed heap growth by N. Identity and ingress activations are counted in.
/// <c>dotnet run -c Release --project bench -- memory [--activations 100000]</c>
/// </summary>
public sealed class MemoryBenchmark : IBenchmark
{
    public string Name => "memory";

    public string Description => "managed memory per active customer (typical state), N activations";

    public async Task<int> RunAsync(string[] args)
    {
        var n = Options.Int(args, "--activations", 100_000);
        // The file store on tmpfs: no second in-memory copy of every state (as the memory provider keeps) and cheap fsyncs.
        // Idle activations are collected after 15 minutes by default: longer than this run, so all stay active.
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var store = Directory.CreateDirectory(Path.Combine(root, "switchboard-memory-bench-" + Guid.NewGuid().ToString("n")[..8])).FullName;
        try
        {
            await using var cluster = await SwitchboardCluster.StartAsync(storePath: store);
            await Measure(cluster, n);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
        return 0;
    }

    private static async Task Measure(Orleans.TestingHost.InProcessTestCluster cluster, int n)
    {
        var ingress = cluster.Client.GetGrain<IConversationIngressGrain>(0);
        await Warm(ingress, 1000, 0);
        var before = Settle();
        var start = DateTime.UtcNow;
        await Warm(ingress, n, 1_000_000);
        var after = Settle();
        var perCustomer = (after - before) / (double)n;
        Console.WriteLine($"memory: {n} active customers (3 turns each: 6 transcript lines), heap {before / 1048576.0:F0} MB -> {after / 1048576.0:F0} MB in {(DateTime.UtcNow - start).TotalSeconds:F0} s");
        Console.WriteLine($"  {perCustomer:F0} bytes per active customer (customer + identity grain, state included)");
    }

    private static async Task Warm(IConversationIngressGrain ingress, int count, int offset)
    {
        await Parallel.ForEachAsync(Enumerable.Range(offset, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var address = new ChannelAddress(AddressKind.WhatsApp, $"9196{i:D8}");
            await ingress.Receive(new InboundTurn("airline", Channel.WhatsApp, address, $"m{i}.1", "I missed my connection in Doha", null, DateTimeOffset.UtcNow));
            await ingress.Receive(new InboundTurn("airline", Channel.WhatsApp, address, $"m{i}.2", "booking ABC123", null, DateTimeOffset.UtcNow));
            await ingress.Receive(new InboundTurn("airline", Channel.WhatsApp, address, $"m{i}.3", "tomorrow at 4 pm", null, DateTimeOffset.UtcNow));
        });
    }

    private static long Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

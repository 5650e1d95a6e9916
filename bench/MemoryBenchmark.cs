using System.Runtime;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Memory per active, idle customer: activates N customers with a typical state (a few turns, one consent decision) in
/// one silo, waits until they are idle (CustomerGrain.DefaultIdleRelease) and divides the managed heap growth by N.
/// Identity and ingress activations are counted in.
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
            await Measure(cluster, n, Options.Flag(args, "--direct"), args);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
        return 0;
    }

    private static async Task Measure(Orleans.TestingHost.InProcessTestCluster cluster, int n, bool direct, string[] args)
    {
        var ingress = cluster.Client.GetGrain<IConversationIngressGrain>(0);
        IGrainFactory grains = cluster.Client;
        await Warm(ingress, grains, 1000, 0, direct);
        await Idle();
        var before = Settle();
        var start = DateTime.UtcNow;
        await Warm(ingress, grains, n, 1_000_000, direct);
        var warmed = DateTime.UtcNow;
        await Idle();
        // On a loaded machine 100,000 idle timers fire late: read the heap until it stops shrinking (at most 60 s more).
        var after = Settle();
        for (var waited = 0; waited < 60; waited += 3)
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var again = Settle();
            if (again > after - n * 16L) { after = Math.Min(after, again); break; }
            after = again;
        }
        var perCustomer = (after - before) / (double)n;
        Console.WriteLine($"memory: {n} active customers (3 turns each: 6 transcript lines), heap {before / 1048576.0:F0} MB -> {after / 1048576.0:F0} MB in {(warmed - start).TotalSeconds:F0} s");
        Console.WriteLine(direct
            ? $"  {perCustomer:F0} bytes per active customer grain (turns sent to the customer grain directly: no identity grain)"
            : $"  {perCustomer:F0} bytes per active customer (customer + identity grain, state included)");
        if (Options.String(args, "--hold", "") is { Length: > 0 } hold)
        {
            // For a heap snapshot of the warm silo (dotnet-gcdump collect -p <pid>): waits until the file exists.
            Console.WriteLine($"  holding: pid {Environment.ProcessId}; create {hold} to finish");
            while (!File.Exists(hold)) await Task.Delay(500);
        }
    }

    private static async Task Warm(IConversationIngressGrain ingress, IGrainFactory grains, int count, int offset, bool direct)
    {
        string[] texts = ["I missed my connection in Doha", "booking ABC123", "tomorrow at 4 pm"];
        await Parallel.ForEachAsync(Enumerable.Range(offset, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var phone = $"+9196{i:D8}";
            var customer = grains.GetGrain<ICustomerGrain>(GrainKeys.Customer("airline", $"c-{i:D20}"));
            for (var t = 0; t < texts.Length; t++)
            {
                var turn = new InboundTurn("airline", Channel.WhatsApp, new ChannelAddress(AddressKind.Phone, phone), $"m{i}.{t}", texts[t], null, DateTimeOffset.UtcNow);
                if (direct) await customer.HandleTurn(turn);
                else await ingress.Receive(turn);
            }
        });
    }

    /// <summary>
    /// Idle customers are what is measured: a customer keeps its turn history and derived keys for a few seconds after
    /// its last call (CustomerGrain.DefaultIdleRelease), so the heap is read once the last ones have let them go.
    /// </summary>
    private static Task Idle() => Task.Delay(Switchboard.Grains.Customers.CustomerGrain.DefaultIdleRelease + TimeSpan.FromSeconds(2));

    private static long Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

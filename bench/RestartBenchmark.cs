using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Journaling;
using Switchboard.Silo.Storage.Journal;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Recovery time: fills the embedded store with N customers (each a few turns through the real grains), stops the silo,
/// starts a new one on the same folder and times it until it is ready and until a customer's next turn is answered.
/// <c>dotnet run -c Release --project bench -- restart [--customers 100000] [--turns 2]</c> (target: ready in ≤ 10 s with 100,000).
/// </summary>
public sealed class RestartBenchmark : IBenchmark
{
    public string Name => "restart";

    public string Description => "engine start-up time with N customers in the embedded store (journal recovery)";

    public async Task<int> RunAsync(string[] args)
    {
        var customers = Options.Int(args, "--customers", 100_000);
        var turns = Options.Int(args, "--turns", 2);
        using var store = new TempDirectory();
        var fill = Stopwatch.StartNew();
        await using (var cluster = await SwitchboardCluster.StartAsync(storePath: store.Path))
        {
            var ingress = cluster.Client.GetGrain<IConversationIngressGrain>(0);
            await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            {
                for (var t = 0; t < turns; t++)
                    await ingress.Receive(new InboundTurn("airline", Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, $"9197{i:D8}"),
                        $"fill-{i}-{t}", t == 0 ? "I missed my connection" : "what is my flight status", null, default));
            });
        }
        var disk = Directory.GetFiles(Path.Combine(store.Path, "journal"), "*.wal").Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"restart: filled {customers:N0} customers x {turns} turns in {fill.Elapsed.TotalSeconds:F0} s; journal {disk / 1048576.0:F0} MB");

        var start = Stopwatch.StartNew();
        await using var restarted = await SwitchboardCluster.StartAsync(storePath: store.Path);
        var ready = start.Elapsed;
        var again = restarted.Client.GetGrain<IConversationIngressGrain>(0);
        var reply = await again.Receive(new InboundTurn("airline", Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, $"9197{customers / 2:D8}"),
            "after-restart", "hello again", null, default));
        var firstTurn = start.Elapsed;
        var wal = (WriteAheadLogStore)restarted.Silos[0].ServiceProvider.GetRequiredService<IJournalStore>();
        var r = wal.Recovery;
        Console.WriteLine($"  journal recovery: {r.Streams:N0} streams, {r.Records:N0} records in {r.Segments} segments, {r.Elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"  silo ready {ready.TotalSeconds:F2} s after start; a returning customer answered at {firstTurn.TotalSeconds:F2} s (target: ready <= 10 s)");
        return reply.Duplicate ? 1 : 0;
    }
}

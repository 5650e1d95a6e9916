using System.Diagnostics;
using Orleans.TestingHost;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// The foundation's numbers: a channel switch (a turn written through WhatsApp address A, the context read back through the
/// caller's SIP address B) and durable turns per second, on the embedded file store and on Redis.
/// <c>dotnet run -c Release --project bench -- switch [--seconds 5] [--customers 2000] [--concurrency 64] [--store file|redis|both]</c>
/// </summary>
public sealed class SwitchBenchmark : IBenchmark
{
    public string Name => "switch";

    public string Description => "channel-switch latency (write via A, read via B) and durable turns/s: file store and Redis";

    public async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--seconds", 5);
        var customers = Options.Int(args, "--customers", 2000);
        var concurrency = Options.Int(args, "--concurrency", 64);
        var store = Options.String(args, "--store", "both");
        Console.WriteLine($"switch benchmark: {customers} customers, {concurrency} concurrent callers, {seconds} s per phase, {Environment.ProcessorCount} cores");

        if (store is "file" or "both")
        {
            using var dir = new TempDirectory();
            await using var cluster = await SwitchboardCluster.StartAsync(storePath: dir.Path);
            await Measure("embedded file store", cluster, customers, concurrency, seconds);
        }
        if (store is "redis" or "both")
        {
            await using var redis = await RedisServer.StartAsync();
            await using var cluster = await SwitchboardCluster.StartAsync(redis: redis.ConnectionString);
            await Measure("redis write-through", cluster, customers, concurrency, seconds);
        }
        return 0;
    }

    private static async Task Measure(string label, InProcessTestCluster cluster, int customers, int concurrency, int seconds)
    {
        var grains = cluster.Client;
        var ingress = grains.GetGrain<IConversationIngressGrain>(0);
        var numbers = Enumerable.Range(0, customers).Select(i => $"9197{i:D8}").ToArray();
        var ids = new string[customers];

        // Create every customer through WhatsApp (address A).
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            ids[i] = (await ingress.Receive(Turn(numbers[i], "hello", $"seed.{i}"))).CustomerId);

        // Warm up the read path through address B.
        for (var i = 0; i < Math.Min(customers, 500); i++) await ReadThroughCaller(grains, ingress, numbers[i]);

        // 1. Channel switch: write through A (durable), then read the context through B. Timed separately and together.
        var write = new Percentiles();
        var read = new Percentiles();
        var whole = new Percentiles();
        var deadline = Stopwatch.StartNew();
        var counter = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), async (worker, _) =>
        {
            var n = 0;
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var i = (worker * 7919 + n++) % customers;
                var t0 = Stopwatch.GetTimestamp();
                await ingress.Receive(Turn(numbers[i], "switching to the phone", $"sw.{worker}.{n}"));
                var t1 = Stopwatch.GetTimestamp();
                var view = await ReadThroughCaller(grains, ingress, numbers[i]);
                var t2 = Stopwatch.GetTimestamp();
                if (view.CustomerId != ids[i]) throw new InvalidOperationException("Read through B found another customer.");
                write.Add(t1 - t0);
                read.Add(t2 - t1);
                whole.Add(t2 - t0);
                Interlocked.Increment(ref counter);
                await Task.Yield();
            }
        });
        Console.WriteLine($"[{label}] channel switch, {concurrency} concurrent callers, {counter / (double)seconds:F0} switches/s");
        Console.WriteLine($"  write via A (durable turn) {write.Summary()}");
        Console.WriteLine($"  read via B (resolve + context) {read.Summary()}");
        Console.WriteLine($"  write A + read B {whole.Summary()}");

        // 2. Single caller read path (no queueing behind other callers): what one channel sees.
        var solo = new Percentiles();
        for (var k = 0; k < 5000; k++)
        {
            var i = k % customers;
            var t0 = Stopwatch.GetTimestamp();
            await ReadThroughCaller(grains, ingress, numbers[i]);
            solo.Add(Stopwatch.GetTimestamp() - t0);
        }
        Console.WriteLine($"  read via B, one caller {solo.Summary()}");

        // 3. Durable turns per second.
        var turns = 0L;
        var turnLatency = new Percentiles();
        deadline.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), async (worker, _) =>
        {
            var n = 0;
            var local = new List<long>();
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var i = (worker + n * concurrency) % customers;
                var t0 = Stopwatch.GetTimestamp();
                await ingress.Receive(Turn(numbers[i], "a durable turn", $"tp.{worker}.{n++}"));
                local.Add(Stopwatch.GetTimestamp() - t0);
                Interlocked.Increment(ref turns);
                await Task.Yield();
            }
            turnLatency.AddRange(local);
        });
        Console.WriteLine($"[{label}] durable turns: {turns / deadline.Elapsed.TotalSeconds:F0} turns/s at {concurrency} callers; per turn {turnLatency.Summary()}");
    }

    private static async Task<CustomerView> ReadThroughCaller(IGrainFactory grains, IConversationIngressGrain ingress, string number)
    {
        var id = await ingress.Resolve("airline", new ChannelAddress(AddressKind.Phone, $"sip:+{number}@sbc"))
            ?? throw new InvalidOperationException("The caller did not resolve.");
        return await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer("airline", id)).GetView();
    }

    private static InboundTurn Turn(string waId, string text, string messageId) =>
        new("airline", Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, waId), messageId, text, null, DateTimeOffset.UtcNow);
}

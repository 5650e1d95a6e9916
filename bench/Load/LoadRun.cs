using System.Diagnostics;
using Spectre.Console;
using Switchboard.Bench.Webhooks;

namespace Switchboard.Bench.Load;

/// <summary>
/// One target under the mix for a fixed time: the three drivers at once, live progress (a Spectre.Console live table on a
/// terminal, a plain line every 2 s otherwise), CPU per process from /proc, and at <c>killAt</c> a silo SIGKILLed.
/// </summary>
public sealed class LoadRun(LoadTarget target, GraphStandIn graph, LoadMix mix, int targetDigit)
{
    public WebhookDriver Webhooks { get; } = new(graph, mix.Webhooks, mix.CustomersPerSender, targetDigit);
    public WebChatDriver WebChat { get; } = new(mix.WebChat);
    public SipDriver Sip { get; } = new(mix.Sip);
    public double Seconds { get; private set; }
    public double? KilledAt { get; private set; }
    public string? Killed { get; private set; }
    public List<(string Name, double CpuPercent)> Cpu { get; } = [];

    public IEnumerable<ChannelStats> Channels => [Webhooks.Stats, WebChat.Stats, Sip.Stats];

    public async Task RunAsync(TimeSpan length, TimeSpan? killAt)
    {
        var processes = Measured().ToList();
        var cpuBefore = processes.ToDictionary(p => p.Name, p => ProcessCpu.Seconds(p.Pid) ?? 0);
        using var stop = new CancellationTokenSource(length);
        var clock = Stopwatch.StartNew();
        var drivers = Task.WhenAll(Webhooks.RunAsync(target, clock, stop.Token), WebChat.RunAsync(target, clock, stop.Token), Sip.RunAsync(target, clock, stop.Token));
        var kill = killAt is { } at && target.KillSilo is { } killer ? KillAfter(at, killer, clock) : Task.CompletedTask;
        await ShowProgress(drivers, clock, length);
        await kill;
        Seconds = clock.Elapsed.TotalSeconds;
        // CPU of the measured phase: a killed process counts until it died (its last reading is lost: left out).
        foreach (var (name, pid) in Measured())
        {
            var after = ProcessCpu.Seconds(pid);
            if (after is null || !cpuBefore.TryGetValue(name, out var before)) continue;
            Cpu.Add((name, (after.Value - before) / Seconds * 100));
        }
        await Webhooks.AccountAsync();
    }

    private IEnumerable<(string Name, int Pid)> Measured() => target.Processes().Append(("load tool", Environment.ProcessId));

    private async Task KillAfter(TimeSpan at, Func<Task<string>> killer, Stopwatch clock)
    {
        await Task.Delay(at);
        KilledAt = clock.Elapsed.TotalSeconds;
        Killed = await killer();
        // Wall clock too, to line the kill up with the processes' logs (timestamps: --set Logging:Console:FormatterOptions:TimestampFormat=...).
        Console.WriteLine($"  {Killed} at {KilledAt:F1} s of the run, {DateTime.UtcNow:HH:mm:ss.fff} UTC");
    }

    private async Task ShowProgress(Task drivers, Stopwatch clock, TimeSpan length)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            while (!drivers.IsCompleted)
            {
                await Task.WhenAny(drivers, Task.Delay(2000));
                Console.WriteLine($"  {target.Label} {clock.Elapsed.TotalSeconds,5:F0}/{length.TotalSeconds:F0} s  " +
                    string.Join("  ", Channels.Select(c => $"{c.Channel} {c.Ok} ok {c.Errors} err")) + (Killed is null ? "" : $"  [{Killed}]"));
            }
            await drivers;
            return;
        }
        await AnsiConsole.Live(new Table()).StartAsync(async live =>
        {
            while (!drivers.IsCompleted)
            {
                await Task.WhenAny(drivers, Task.Delay(500));
                var table = new Table().Title($"{target.Label}: {clock.Elapsed.TotalSeconds:F0}/{length.TotalSeconds:F0} s{(Killed is null ? "" : $" ({Killed})")}")
                    .AddColumns("channel", "answered", "per s", "p50 ms", "p99 ms", "errors");
                foreach (var c in Channels)
                    table.AddRow(c.Channel, c.Ok.ToString(), (c.Ok / Math.Max(0.001, clock.Elapsed.TotalSeconds)).ToString("F0"),
                        (c.Latency.Micros(50) / 1000).ToString("F1"), (c.Latency.Micros(99) / 1000).ToString("F1"), c.Errors.ToString());
                live.UpdateTarget(table);
            }
        });
        await drivers;
    }
}

/// <summary>The mix from the command line: webhook senders, web chat sessions, concurrent SIP calls.</summary>
public sealed record LoadMix(int Webhooks, int CustomersPerSender, int WebChat, int Sip)
{
    public override string ToString() => $"{Webhooks} webhook senders ({CustomersPerSender} customers each), {WebChat} web chat sessions, {Sip} SIP callers";
}

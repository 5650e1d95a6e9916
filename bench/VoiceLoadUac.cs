using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.Bench;

/// <summary>One placed call as the load UAC saw it (Stopwatch timestamps; CLOCK_MONOTONIC on Linux, so comparable across processes).</summary>
public readonly record struct UacCall(string CallId, long Queued, long Started, long AnsweredAt, long Ticks);

/// <summary>The load UAC's inbound RTP counters, its own process's GC and CPU (zeros in process: the engine's own counters cover it).</summary>
public readonly record struct UacStats(long Received, long Expected, long Lost, int Streams, long SrtpRejected, long SrtpBeforeKey,
    int Gen0, int Gen1, int Gen2, double PauseMs, long AllocatedBytes, double CpuMs, long At);

/// <summary>
/// The voice benchmark's far end: places the calls, sends RTP and the DTMF, counts what comes back. Either in the engine's
/// process (<see cref="InProcessUac"/>, the former set-up) or in a child process (<see cref="ChildProcessUac"/>).
/// </summary>
public interface ILoadUac : IAsyncDisposable
{
    string Where { get; }

    string ReceiverScheduling { get; }

    /// <summary>Places <paramref name="calls"/> calls at <paramref name="rate"/> calls/s and returns each one's INVITE→200 (Ticks -1: no 200 in 30 s).</summary>
    Task<IReadOnlyList<UacCall>> RampAsync(int calls, int rate);

    /// <summary>Every call that is up keys <paramref name="digits"/> (RFC 4733).</summary>
    Task KeyAsync(string digits);

    /// <summary>Forgets the inbound RTP counted so far (the hold starts).</summary>
    Task ResetInboundAsync();

    Task<UacStats> StatsAsync();

    /// <summary>BYE on every call that is up; returns how many BYEs went unanswered.</summary>
    Task<long> HangUpAsync();
}

/// <summary>The ramp both UACs run: calls placed on a fixed schedule, no waiting on earlier answers.</summary>
internal static class UacRamp
{
    public static async Task<(VoiceLoadCaller.LoadCall Call, long Ticks)[]> RunAsync(VoiceLoadCaller uac, int calls, int rate)
    {
        var placed = new List<Task<(VoiceLoadCaller.LoadCall Call, long Ticks)>>(calls);
        var ramp = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - ramp.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            placed.Add(uac.CallAsync($"+9198{10000000 + i}"));
        }
        return await Task.WhenAll(placed);
    }
}

/// <summary>The load UAC in the engine's process (<c>--in-process-uac</c>): its garbage and threads share the engine's GC and cores.</summary>
public sealed class InProcessUac(IPEndPoint server, bool srtp) : ILoadUac
{
    private readonly VoiceLoadCaller _uac = new(server, srtp);
    private VoiceLoadCaller.LoadCall[] _up = [];

    public string Where => "in the engine's process";

    public string ReceiverScheduling => _uac.ReceiverScheduling;

    public async Task<IReadOnlyList<UacCall>> RampAsync(int calls, int rate)
    {
        var results = await UacRamp.RunAsync(_uac, calls, rate);
        _up = results.Where(r => r.Ticks >= 0).Select(r => r.Call).ToArray();
        return results.Select(r => new UacCall(r.Call.CallId, r.Call.Queued, r.Call.Started, r.Call.AnsweredAt, r.Ticks)).ToArray();
    }

    public Task KeyAsync(string digits)
    {
        foreach (var call in _up) call.Key(digits);
        return Task.CompletedTask;
    }

    public Task ResetInboundAsync()
    {
        _uac.ResetInbound();
        return Task.CompletedTask;
    }

    public Task<UacStats> StatsAsync() => Task.FromResult(new UacStats(_uac.RtpPacketsReceived, _uac.RtpPacketsExpected, _uac.RtpPacketsLost,
        _uac.InboundStreams, _uac.SrtpRejected, _uac.SrtpBeforeKey, 0, 0, 0, 0, 0, 0, Stopwatch.GetTimestamp()));

    public async Task<long> HangUpAsync()
    {
        await Task.WhenAll(_up.Select(_uac.HangUpAsync));
        return _uac.ByesUnanswered;
    }

    public ValueTask DisposeAsync() => _uac.DisposeAsync();
}

/// <summary>
/// The load UAC in a child process (<c>Bench voice-uac</c>), driven over its stdin/stdout one line per command and reply:
/// the parent waits for each reply (no sleeps), the child exits when its stdin closes (the parent died or disposed it), and
/// the parent kills it if it does not exit after "exit".
/// </summary>
public sealed class ChildProcessUac : ILoadUac
{
    private readonly Process _child;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly EventHandler _onExit;

    private ChildProcessUac(Process child, string scheduling, string settings)
    {
        _child = child;
        ReceiverScheduling = scheduling;
        Settings = settings;
        _onExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string Where => $"in its own process (pid {_child.Id}, {Settings})";

    public string ReceiverScheduling { get; private set; }

    private string Settings { get; }

    public static async Task<ChildProcessUac> StartAsync(IPEndPoint server, bool srtp, bool realtimeReceiver = true)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        // `dotnet Bench.dll …` or the apphost `Bench …`: start the same way this process was started.
        var entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(entry), StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(entry);
        start.ArgumentList.Add("voice-uac");
        start.ArgumentList.Add(server.ToString());
        if (srtp) start.ArgumentList.Add("--srtp");
        if (!realtimeReceiver) start.ArgumentList.Add("--receiver-nice");
        // The far end is not what is measured: a workstation GC keeps its collections on its own threads, not on one
        // server-GC thread per core competing with the engine's, and the engine's gen0 budget setting is not its own.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment.Remove("DOTNET_GCgen0size");
        // A profiler's diagnostic port (dotnet-trace collect -- …) is the engine's: the child would wait on it at start-up.
        start.Environment.Remove("DOTNET_DiagnosticPorts");
        start.Environment.Remove("DOTNET_DefaultDiagnosticPortSuspend");
        var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the load UAC process");
        var ready = await child.StandardOutput.ReadLineAsync();
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"the load UAC process did not start: '{ready}'");
        }
        return new ChildProcessUac(child, ready["ready ".Length..], "workstation GC");
    }

    /// <summary>Sends one command and returns the lines of its reply (up to "done COMMAND").</summary>
    private async Task<List<string>> AskAsync(string command)
    {
        await _gate.WaitAsync();
        try
        {
            await _child.StandardInput.WriteLineAsync(command);
            await _child.StandardInput.FlushAsync();
            var lines = new List<string>();
            var verb = command.Split(' ')[0];
            while (true)
            {
                var line = await _child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"the load UAC process ended during '{command}'");
                if (line == "done " + verb) return lines;
                if (line.StartsWith("error ", StringComparison.Ordinal)) throw new InvalidOperationException("load UAC: " + line);
                lines.Add(line);
            }
        }
        finally { _gate.Release(); }
    }

    public async Task<IReadOnlyList<UacCall>> RampAsync(int calls, int rate)
    {
        var lines = await AskAsync($"ramp {calls} {rate}");
        var results = new List<UacCall>(calls);
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            if (f[0] == "call")
                results.Add(new UacCall(f[1], long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture),
                    long.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture)));
            else if (f[0] == "scheduling") ReceiverScheduling = line["scheduling ".Length..];
        }
        return results;
    }

    public Task KeyAsync(string digits) => AskAsync("key " + digits);

    public Task ResetInboundAsync() => AskAsync("reset");

    public async Task<UacStats> StatsAsync()
    {
        var f = (await AskAsync("stats")).Single(l => l.StartsWith("stats ", StringComparison.Ordinal)).Split(' ');
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new UacStats(L(1), L(2), L(3), (int)L(4), L(5), L(6), (int)L(7), (int)L(8), (int)L(9),
            double.Parse(f[10], CultureInfo.InvariantCulture), L(11), double.Parse(f[12], CultureInfo.InvariantCulture), L(13));
    }

    public async Task<long> HangUpAsync() =>
        long.Parse((await AskAsync("hangup")).Single(l => l.StartsWith("unanswered ", StringComparison.Ordinal))["unanswered ".Length..], CultureInfo.InvariantCulture);

    private void Kill()
    {
        try { if (!_child.HasExited) _child.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        try
        {
            await _child.StandardInput.WriteLineAsync("exit");
            await _child.StandardInput.FlushAsync();
            _child.StandardInput.Close();
        }
        catch (IOException) { }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _child.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { Kill(); }
        _child.Dispose();
        _gate.Dispose();
    }
}

/// <summary>
/// The child side: <c>Bench voice-uac HOST:PORT [--srtp] [--receiver-nice]</c>, started by the voice benchmark. Reads commands on stdin
/// (ramp N RATE, key DIGITS, reset, stats, hangup, exit), answers on stdout ending each reply with "done VERB".
/// Its stdin closing (the parent gone, even killed) ends it at once.
/// </summary>
public sealed class VoiceUacBenchmark : IBenchmark
{
    public string Name => "voice-uac";

    public string Description => "(started by `voice`) the load UAC in its own process, driven over stdin/stdout";

    public async Task<int> RunAsync(string[] args)
    {
        var server = IPEndPoint.Parse(args[0]);
        var srtp = args.Contains("--srtp");
        var realtimeReceiver = !args.Contains("--receiver-nice");
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false, NewLine = "\n" };
        var commands = System.Threading.Channels.Channel.CreateUnbounded<string>();
        // Stdin is read on its own thread so that the parent's death is seen even during a 20 s ramp: EOF exits the process.
        var reader = new Thread(() =>
        {
            var input = Console.In;
            while (input.ReadLine() is { } line)
            {
                if (line == "exit")
                {
                    commands.Writer.TryComplete();
                    return;
                }
                commands.Writer.TryWrite(line);
            }
            // EOF without "exit": the parent is gone (killed, crashed); stop now, even in the middle of a ramp.
            Environment.Exit(3);
        }) { IsBackground = true, Name = "uac-stdin" };
        await using var uac = new VoiceLoadCaller(server, srtp, realtimeReceiver);
        reader.Start();
        output.WriteLine($"ready {Environment.ProcessId}");
        await output.FlushAsync();
        VoiceLoadCaller.LoadCall[] up = [];
        await foreach (var command in commands.Reader.ReadAllAsync())
        {
            var f = command.Split(' ');
            try
            {
                switch (f[0])
                {
                    case "ramp":
                        var results = await UacRamp.RunAsync(uac, int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture));
                        up = results.Where(r => r.Ticks >= 0).Select(r => r.Call).ToArray();
                        foreach (var (c, ticks) in results)
                            output.WriteLine(FormattableString.Invariant($"call {c.CallId} {c.Queued} {c.Started} {c.AnsweredAt} {ticks}"));
                        output.WriteLine($"scheduling {uac.ReceiverScheduling}");
                        break;
                    case "key":
                        foreach (var c in up) c.Key(f[1]);
                        break;
                    case "reset":
                        uac.ResetInbound();
                        break;
                    case "stats":
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"stats {uac.RtpPacketsReceived} {uac.RtpPacketsExpected} {uac.RtpPacketsLost} {uac.InboundStreams} {uac.SrtpRejected} {uac.SrtpBeforeKey} " +
                            $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalPauseDuration().TotalMilliseconds:F1} {GC.GetTotalAllocatedBytes()} {Environment.CpuUsage.TotalTime.TotalMilliseconds:F0} {Stopwatch.GetTimestamp()}"));
                        break;
                    case "hangup":
                        await Task.WhenAll(up.Select(uac.HangUpAsync));
                        output.WriteLine($"unanswered {uac.ByesUnanswered}");
                        break;
                    default:
                        output.WriteLine($"error unknown command '{command}'");
                        break;
                }
            }
            catch (Exception e)
            {
                output.WriteLine($"error {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
            output.WriteLine("done " + f[0]);
            await output.FlushAsync();
        }
        return 0;
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Rtp;
using Switchboard.TestSupport;

namespace Switchboard.Bench;

/// <summary>
/// Voice transport load: the real engine (SiloApp, answer delay 0) takes N concurrent calls placed at R calls/s by a
/// load UAC in a child process (<see cref="ChildProcessUac"/>; <c>--in-process-uac</c>: in the engine's process, as before); every call gets the greeting turn, RTP both ways (PCMU, 50 packets/s each way), and keys "1#"
/// (an RFC 4733 DTMF turn). Prints INVITE→200 latency, per-packet send lateness of the server's pacer
/// (p50/p99/max), RTP loss seen by the UAC, the engine process's GCs and bytes allocated per call in the hold, and CPU per call.
/// With <c>--srtp</c> every call is SRTP (RTP/SAVP, SDES, AES_CM_128_HMAC_SHA1_80) both ways.
/// Usage: voice [calls=200] [rate=50] [holdSeconds=10] [--no-realtime] [--srtp] [--agent] [--no-receive-path] [--no-raise-runtime-threads] [--gc-sustained] [--rtp-ports=MIN-MAX] [--setup-allocation] [--in-process-uac] [--uac-receiver-fifo]
/// The child UAC's inbound RTP thread runs at nice -15, below the engine's real-time pacer (<c>--uac-receiver-fifo</c>: at
/// SCHED_FIFO, as before 2026-12-03): on a shared 2-core machine a real-time thread of the load tool preempts the engine's
/// pacer, GC and SIP threads, which a far end on its own machine would not do (its loss count still tells whether it kept
/// up). Alternated on 2026-12-03, the engine's send lateness p99 was lower with nice -15 in 5 of 6 pairs (docs/voice.md, voice22).
/// <c>--agent</c> keeps the speech agent (VAD and recogniser on every call) on; by default calls are DTMF only.
/// First it measures the inbound media path per packet against the loop it replaced (<see cref="VoiceReceivePath"/>).
/// </summary>
public sealed class VoiceBenchmark : IBenchmark
{
    public string Name => "voice";

    public string Description => "SIP/RTP calls held concurrently: INVITE→200 latency, RTP pacing jitter, loss, CPU per call";

    public async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0]) : 200;
        var rate = args.Length > 1 ? int.Parse(args[1]) : 50;
        var hold = args.Length > 2 ? int.Parse(args[2]) : 10;
        var realtime = !args.Contains("--no-realtime");
        var srtp = args.Contains("--srtp");
        var agent = args.Contains("--agent");
        var inProcess = args.Contains("--in-process-uac");
        // --rtp-ports=MIN-MAX: the server's RTP/RTCP port span (two ports per call; 40000-49999 by default).
        var span = args.FirstOrDefault(a => a.StartsWith("--rtp-ports=", StringComparison.Ordinal))?["--rtp-ports=".Length..].Split('-');
        var (rtpMin, rtpMax) = span is [var lo, var hi] ? (int.Parse(lo), int.Parse(hi)) : (40000, 49999);
        if ((rtpMax - rtpMin + 1) / 2 < calls) Console.WriteLine($"warning: RTP ports {rtpMin}-{rtpMax} hold {(rtpMax - rtpMin + 1) / 2} calls, fewer than {calls}");
        Console.WriteLine($"voice: {calls} calls at {rate}/s, held {hold} s, {(srtp ? "SRTP" : "plain RTP")}, speech agent {(agent ? "on" : "off (DTMF)")}, on {Environment.ProcessorCount} cores");
        // --setup-allocation: only the bytes per call of each step of the call set-up that runs without sockets or
        // grains (a separate run, so its garbage does not move the GC budgets of a load run).
        if (args.Contains("--setup-allocation"))
        {
            VoiceSetupAllocation.Print();
            return 0;
        }
        if (srtp) MeasureSrtpPacketCost();
        // The per-packet and per-call micro-measures force full GCs (VoiceCallState), which move the GC budgets of the
        // run after them: --no-receive-path skips both.
        if (!args.Contains("--no-receive-path"))
        {
            await VoiceReceivePath.MeasureAsync();
            await VoiceCallState.MeasureAsync();
        }
        using var runtime = new VoiceRuntimeEvents();
        // --gc-sustained: SustainedLowLatency for the run (background gen2 instead of blocking ones; needs concurrent GC,
        // e.g. DOTNET_gcConcurrent=1, since the bench's runtimeconfig turns it off).
        if (args.Contains("--gc-sustained")) System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {AppContext.GetData("System.GC.Concurrent") ?? "default"} in runtimeconfig (DOTNET_gcConcurrent {Environment.GetEnvironmentVariable("DOTNET_gcConcurrent") ?? "-"}), " +
                          $"latency mode {System.Runtime.GCSettings.LatencyMode}, DOTNET_GCgen0size {Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "-"}");

        await using var app = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtpMin.ToString(),
            ["Sip:RtpPortMax"] = rtpMax.ToString(),
            ["Sip:MaxCalls"] = (calls + 100).ToString(),
            ["Sip:InterDigitTimeoutMs"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Sip:RealtimePacer"] = realtime ? "true" : "false",
            ["Sip:RaiseRuntimeThreads"] = args.Contains("--no-raise-runtime-threads") ? "false" : "true",
            // The transport measured alone (DTMF turns): with the speech agent on, every call also runs Silero VAD and
            // a recogniser, which on 2 cores took most of the CPU at a few hundred calls (profile in docs/voice.md).
            ["VoiceAgent:Enabled"] = agent ? "true" : "false",
        });
        var services = app.App.Services;
        var server = await services.GetRequiredService<SipListener>().Bound;
        var signaling = services.GetRequiredService<VoiceSignaling>();
        var pacer = services.GetRequiredService<MediaPacer>();
        await using ILoadUac uac = inProcess ? new InProcessUac(server, srtp) : await ChildProcessUac.StartAsync(server, srtp, realtimeReceiver: args.Contains("--uac-receiver-fifo"));
        Console.WriteLine($"load UAC: {uac.Where}");
        var serverSide = new System.Collections.Concurrent.ConcurrentDictionary<string, (long Arrived, long Locked, long Sent, long Done)>();
        signaling.InviteAnswered = (callId, arrived, locked, sent, done) => serverSide[callId] = (arrived, locked, sent, done);
        Console.WriteLine(runtime.Cut("start-up"));

        // Ramp: new calls at a fixed rate; INVITE→200 measured for each.
        var latency = new Percentiles();
        var allocatedBeforeRamp = GC.GetTotalAllocatedBytes();
        var ramp = Stopwatch.StartNew();
        var results = await uac.RampAsync(calls, rate);
        var up = results.Where(r => r.Ticks >= 0).ToArray();
        foreach (var call in up) latency.Add(call.Ticks);
        if (up.Length < calls) Console.WriteLine($"INVITEs without a 200 within 30 s: {calls - up.Length} of {calls} (the load UAC does not retransmit)");
        Console.WriteLine($"pacer thread scheduling: {pacer.Scheduling}; load UAC receive thread: {uac.ReceiverScheduling}; server SIP receive: {UdpScheduling(services)}; server RTP receive: {RtpReceiveScheduling()}");
        Console.WriteLine($"ramp: {calls} calls up in {ramp.Elapsed.TotalSeconds:F1} s; server reports {signaling.ActiveCalls} active");
        Console.WriteLine($"INVITE→200 OK at {rate} calls/s: {latency.Summary()}");
        var lastGc = GC.GetGCMemoryInfo();
        Console.WriteLine($"allocated during the ramp: {(GC.GetTotalAllocatedBytes() - allocatedBeforeRamp) / 1e6:F0} MB, {(GC.GetTotalAllocatedBytes() - allocatedBeforeRamp) / 1024.0 / calls:F0} KB per call " +
                          $"({(inProcess ? "whole process, media of the calls already up and the load generator included" : "the engine's process, media of the calls already up included")}); heap after the last GC (gen{lastGc.Generation}) {lastGc.HeapSizeBytes / 1e6:F0} MB, promoted {lastGc.PromotedBytes / 1e6:F1} MB");
        PrintBreakdown(up, serverSide);
        Console.WriteLine(runtime.Cut("ramp"));
        var uacBefore = await uac.StatsAsync();
        await uac.KeyAsync("1#");

        // Hold: measure the steady state.
        pacer.Lateness.Reset();
        var missedBefore = pacer.MissedTicks;
        await uac.ResetInboundAsync();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var gcBefore = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2), Pause: GC.GetTotalPauseDuration(),
            Allocated: GC.GetTotalAllocatedBytes());
        var wall = Stopwatch.StartNew();
        var holdFrom = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(hold / 2.0));
        // The second half of the hold is media alone (the "1#" turns ran in the first): what steady-state media allocates.
        // The engine receives about as many packets as it sends (the UAC sends 50/s per call too): counted from its own pacer.
        var firstHalf = (Allocated: GC.GetTotalAllocatedBytes(), Sent: pacer.Lateness.Count, Gcs: GC.CollectionCount(0));
        await Task.Delay(TimeSpan.FromSeconds(hold / 2.0));
        var quietPackets = Math.Max(1, 2 * (pacer.Lateness.Count - firstHalf.Sent));
        var quietBytes = (GC.GetTotalAllocatedBytes() - firstHalf.Allocated) / (double)quietPackets;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var seconds = wall.Elapsed.TotalSeconds;
        var stats = await uac.StatsAsync();
        var received = stats.Received;
        var expected = stats.Expected;
        Console.WriteLine($"hold: {signaling.ActiveCalls} calls, {seconds:F1} s (UTC {holdFrom:HH:mm:ss.fff}–{holdFrom.AddSeconds(seconds):HH:mm:ss.fff}, for reading a trace)");
        Console.WriteLine($"server RTP send lateness per packet: p50 {pacer.Lateness.Percentile(50):F0} µs  p99 {pacer.Lateness.Percentile(99):F0} µs  " +
                          $"max {pacer.Lateness.Percentile(100):F0} µs  (n={pacer.Lateness.Count}, 50 µs buckets; ticks skipped after stalls: {pacer.MissedTicks - missedBefore}, their packets counted as ≥ 50 ms)");
        Console.WriteLine($"RTP server→UAC: {received} received of {expected} expected over {stats.Streams} streams, lost {stats.Lost} ({100.0 * stats.Lost / Math.Max(1, expected):F3} %)"
                          + (srtp ? $", SRTP packets not authenticating {stats.SrtpRejected} (and {stats.SrtpBeforeKey} during setup, before the UAC had the key)" : ""));
        var packets = Math.Max(1, 2 * pacer.Lateness.Count);
        var whose = inProcess ? "whole process, load generator included" : "the engine's process alone";
        var allocatedInHold = GC.GetTotalAllocatedBytes() - gcBefore.Allocated;
        Console.WriteLine($"GC during the hold: gen0 {GC.CollectionCount(0) - gcBefore.Gen0}, gen1 {GC.CollectionCount(1) - gcBefore.Gen1}, gen2 {GC.CollectionCount(2) - gcBefore.Gen2}, " +
                          $"paused {(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalMilliseconds:F0} ms, {allocatedInHold / (double)packets:F0} B allocated per RTP packet sent or received ({whose})");
        Console.WriteLine($"allocated in the hold per call ({whose}): {allocatedInHold / (double)Math.Max(1, up.Length):F0} B in all, " +
                          $"{(firstHalf.Allocated - gcBefore.Allocated) / (double)Math.Max(1, up.Length):F0} B in the first half (the \"1#\" turns and media), " +
                          $"{(GC.GetTotalAllocatedBytes() - firstHalf.Allocated) / (double)Math.Max(1, up.Length):F0} B in the second (media only)");
        Console.WriteLine($"second half of the hold (media only, no turns): {quietBytes:F1} B allocated per RTP packet sent or received ({whose}), {GC.CollectionCount(0) - firstHalf.Gcs} GCs");
        Console.WriteLine($"CPU: {cpu.TotalMilliseconds / seconds / 10:F1} % of one core for the process, {cpu.TotalMilliseconds / seconds / 10 / calls:F3} % of a core per call ({(inProcess ? "server + load generator" : "server alone")})");
        if (!inProcess)
            Console.WriteLine($"load UAC process in the hold: GCs gen0 {stats.Gen0 - uacBefore.Gen0}, gen1 {stats.Gen1 - uacBefore.Gen1}, gen2 {stats.Gen2 - uacBefore.Gen2}, " +
                              $"paused {stats.PauseMs - uacBefore.PauseMs:F0} ms, allocated {(stats.AllocatedBytes - uacBefore.AllocatedBytes) / 1e6:F1} MB, CPU {(stats.CpuMs - uacBefore.CpuMs) / Stopwatch.GetElapsedTime(uacBefore.At, stats.At).TotalMilliseconds * 100:F1} % of one core " +
                              $"over its {Stopwatch.GetElapsedTime(uacBefore.At, stats.At).TotalSeconds:F1} s from the end of the ramp");
        Console.WriteLine(runtime.Cut("hold"));
        if (services.GetService<Switchboard.Speech.SynthesizedPromptCache>() is { } prompts)
            Console.WriteLine($"prompt cache: {prompts.Hits} hits, {prompts.Misses} misses, {prompts.Count} prompts" +
                              (prompts.GetType().GetProperty("Syntheses")?.GetValue(prompts) is long n ? $", {n} syntheses" : ""));

        // Tear down.
        var down = Stopwatch.StartNew();
        var unanswered = await uac.HangUpAsync();
        Console.WriteLine($"hang-up: {up.Length - unanswered} of {up.Length} BYEs answered in {down.Elapsed.TotalSeconds:F1} s; counters: answered {signaling.Counters.Answered}, remote hang-ups {signaling.Counters.RemoteHangups}");
        return 0;
    }

    /// <summary>The RTP receive threads (older builds read RTP with an async loop per socket on the thread pool).</summary>
    private static string RtpReceiveScheduling()
    {
        var type = typeof(MediaPacer).Assembly.GetType("Switchboard.Telephony.Rtp.RtpReceiver");
        if (type?.GetProperty("Shared")?.GetValue(null) is not { } receiver) return "async loop per socket on the thread pool";
        return $"{(type.GetProperty("UsesEpoll")?.GetValue(receiver) is true ? "epoll" : "Socket.Select")} thread(s), {type.GetProperty("Scheduling")?.GetValue(receiver)}";
    }

    /// <summary>The SIP receive thread's scheduling, where the listener reports it (older builds do not).</summary>
    private static string UdpScheduling(IServiceProvider services)
    {
        var listener = services.GetRequiredService<SipListener>();
        var scheduling = listener.GetType().GetProperty("UdpScheduling")?.GetValue(listener) as string ?? "async loop";
        var raised = listener.GetType().GetProperty("RuntimeThreadsRaised")?.GetValue(listener) is int n ? $"; runtime GC/socket threads reniced: {n}" : "";
        return scheduling + raised;
    }

    /// <summary>
    /// Where each call's INVITE→200 went, from the UAC's timestamps and the server's probe: UAC send → the server's
    /// signaling layer (socket, the server's receive loop and its scheduling), → the signaling lock taken, → the 200
    /// handed to the transport (parse excluded: it is before arrival; SDP, ports, dialog, answer), → the UAC reading it.
    /// </summary>
    private static void PrintBreakdown(IEnumerable<UacCall> calls,
        System.Collections.Concurrent.ConcurrentDictionary<string, (long Arrived, long Locked, long Sent, long Done)> server)
    {
        var queued = new Percentiles();
        var toServer = new Percentiles();
        var lockWait = new Percentiles();
        var handling = new Percentiles();
        var followUp = new Percentiles();
        var back = new Percentiles();
        foreach (var call in calls)
        {
            if (call.Queued > 0) queued.Add(call.Started - call.Queued);
            if (!server.TryGetValue(call.CallId, out var s)) continue;
            toServer.Add(s.Arrived - call.Started);
            lockWait.Add(s.Locked - s.Arrived);
            handling.Add(s.Sent - s.Locked);
            followUp.Add(s.Done - s.Sent);
            back.Add(call.AnsweredAt - s.Sent);
        }
        static string Row(Percentiles p) => $"p50 {p.Micros(50) / 1000:F2} ms, p99 {p.Micros(99) / 1000:F2} ms, max {p.Micros(100) / 1000:F2} ms";
        Console.WriteLine($"  (before the timing starts: INVITE queued → sent by the UAC's sender thread: {Row(queued)})");
        Console.WriteLine($"  UAC send → server signaling layer (socket + server receive loop): {Row(toServer)}");
        Console.WriteLine($"  → signaling lock taken: {Row(lockWait)}");
        Console.WriteLine($"  → 200 handed to the socket (SDP, RTP ports, dialog, answer): {Row(handling)}");
        Console.WriteLine($"  (after the 200, under the lock: media start, retransmit timer: {Row(followUp)})");
        Console.WriteLine($"  200 sent → read by the UAC: {Row(back)}");
    }

    /// <summary>Protect + unprotect of one 20 ms PCMU packet on this thread: time and bytes allocated per packet.</summary>
    private static void MeasureSrtpPacketCost()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(30);
        using var sender = SrtpContext.FromKeyAndSalt(key);
        using var receiver = SrtpContext.FromKeyAndSalt(key);
        var packet = new byte[RtpPacket.HeaderSize + 160 + SrtpContext.RtpOverhead];
        const int n = 200_000;
        ushort seq = 0;
        for (var warm = 0; warm < 2; warm++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                RtpPacket.WriteHeader(packet, false, 0, seq++, (uint)i * 160, 1234);
                var length = sender.ProtectRtp(packet, RtpPacket.HeaderSize + 160);
                if (!receiver.TryUnprotectRtp(packet.AsSpan(0, length), out _)) throw new InvalidOperationException("SRTP round trip failed");
            }
            if (warm == 1)
                Console.WriteLine($"SRTP protect + unprotect per 20 ms PCMU packet: {clock.Elapsed.TotalMicroseconds / n:F2} µs, " +
                                  $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)n:F1} bytes allocated");
        }
    }
}

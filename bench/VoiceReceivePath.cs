using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Bench;

/// <summary>
/// The inbound media path per RTP packet, against its peer in the same run: the real <see cref="RtpSession"/> receive
/// loop (source kept as a reused SocketAddress, pooled jitter-buffer frames) and a copy of the loop it replaced (an
/// IPEndPoint per datagram from <c>ReceiveFromAsync(…, EndPoint, …)</c>, a new array per payload in the jitter buffer).
/// Both take the same stream of 20 ms PCMU packets over loopback, decode them and hand the PCM on. Printed: bytes
/// allocated per packet (the whole process while the stream runs) and CPU per packet.
/// </summary>
internal static class VoiceReceivePath
{
    public static async Task MeasureAsync(int packets = 50_000)
    {
        (double Bytes, double CpuMicros) legacy = default, session = default;
        for (var round = 0; round < 2; round++) // the first round warms both up (JIT, socket paths)
        {
            legacy = await RunAsync(packets, LegacyLoopAsync);
            session = await RunAsync(packets, SessionLoopAsync);
        }
        Console.WriteLine($"RTP receive path per packet ({packets} PCMU packets over loopback; peer: the previous loop, same run): " +
                          $"RtpSession {session.Bytes:F1} B allocated, {session.CpuMicros:F2} µs CPU; previous loop {legacy.Bytes:F1} B, {legacy.CpuMicros:F2} µs " +
                          $"(allocation ratio {session.Bytes / Math.Max(0.01, legacy.Bytes):F3}, CPU ratio {session.CpuMicros / legacy.CpuMicros:F2})");
    }

    private delegate Task ReceiverLoop(Socket receiver, IPEndPoint sender, int packets, Action<long> progress, CancellationToken stop);

    /// <summary>Sends <paramref name="packets"/> packets from a sender thread (never more than 256 ahead of the receiver) and measures the receiver.</summary>
    private static async Task<(double Bytes, double CpuMicros)> RunAsync(int packets, ReceiverLoop loop)
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        sender.Connect(receiver.LocalEndPoint!);
        long received = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var process = Process.GetCurrentProcess();
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var receiving = loop(receiver, (IPEndPoint)sender.LocalEndPoint!, packets, n => Volatile.Write(ref received, n), stop.Token);
        var sending = new Thread(() =>
        {
            var packet = new byte[RtpPacket.HeaderSize + G711.SamplesPer20Ms];
            packet.AsSpan(RtpPacket.HeaderSize).Fill(0x55);
            for (var i = 0; i < packets && !stop.IsCancellationRequested; i++)
            {
                while (i - Volatile.Read(ref received) > 256 && !stop.IsCancellationRequested) Thread.Yield();
                RtpPacket.WriteHeader(packet, i == 0, 0, (ushort)i, (uint)i * 160, 0x1234);
                sender.Send(packet);
            }
        }) { IsBackground = true, Name = "rtp-bench-sender" };
        sending.Start();
        await receiving;
        sending.Join();
        process.Refresh();
        var cpuUsed = process.TotalProcessorTime - cpu;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (bytes / (double)packets, cpuUsed.TotalMicroseconds / packets);
    }

    /// <summary>The real session: its receive loop, jitter buffer and decode, up to the PCM handler.</summary>
    private static async Task SessionLoopAsync(Socket receiver, IPEndPoint sender, int packets, Action<long> progress, CancellationToken stop)
    {
        var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var session = new RtpSession(receiver, rtcp, ((IPEndPoint)receiver.LocalEndPoint!).Port, sender, AudioCodec.Pcmu, 101, () => { }) { Sending = false };
        long frames = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Progress per decoded frame, as the previous loop reports per packet (the jitter buffer holds the last 3).
        session.AudioReceived = _ =>
        {
            progress(++frames + 3);
            if (frames >= packets - 3) done.TrySetResult();
        };
        session.Start();
        await done.Task.WaitAsync(stop).ConfigureAwait(false);
        await session.DisposeAsync();
    }

    /// <summary>A copy of the receive loop before this change: an IPEndPoint per datagram, a new array per jitter-buffered payload.</summary>
    private static async Task LegacyLoopAsync(Socket receiver, IPEndPoint sender, int packets, Action<long> progress, CancellationToken stop)
    {
        var buffer = new byte[2048];
        var pcm = new short[G711.SamplesPer20Ms];
        var jitter = new SortedList<long, byte[]>();
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        IPEndPoint remote = sender;
        var latched = false;
        long count = 0, frames = 0;
        while (count < packets && !stop.IsCancellationRequested)
        {
            var r = await receiver.ReceiveFromAsync(buffer, SocketFlags.None, any, stop).ConfigureAwait(false);
            var from = (IPEndPoint)r.RemoteEndPoint;
            if (latched && !from.Equals(remote)) continue;
            if (!RtpPacket.TryRead(buffer.AsSpan(0, r.ReceivedBytes), out var packet)) continue;
            if (!latched || !from.Equals(remote))
            {
                remote = from;
                latched = true;
            }
            jitter.Add(count, packet.Payload.ToArray());
            while (jitter.Count > 3)
            {
                G711.Decode(AudioCodec.Pcmu, jitter.Values[0], pcm);
                jitter.RemoveAt(0);
                frames++;
            }
            progress(++count);
        }
        if (frames < packets - 4) throw new InvalidOperationException($"the previous loop decoded {frames} of {packets} frames");
    }
}

using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Bench;

/// <summary>
/// What one call's media keeps alive: <see cref="RtpSession"/>s started (receive side running) and fed a few packets
/// each, measured as the managed heap after a full collection against before, per session (the socket objects
/// included). This is what a GC copies when calls are set up faster than gen0 fills, so it sets the pause lengths.
/// </summary>
internal static class VoiceCallState
{
    public static async Task MeasureAsync(int sessions = 400)
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var from = (IPEndPoint)sender.LocalEndPoint!;
        var before = Heap();
        var threadsBefore = ThreadPool.ThreadCount;
        var list = new List<RtpSession>(sessions);
        for (var i = 0; i < sessions; i++)
        {
            var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var rtcp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            rtcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var session = new RtpSession(rtp, rtcp, ((IPEndPoint)rtp.LocalEndPoint!).Port, from, AudioCodec.Pcmu, 101, () => { }) { Sending = false };
            session.AudioReceived = _ => { };
            session.Start();
            list.Add(session);
        }
        // Five packets to each (jitter buffer filled, source latched), then wait until every session has read them.
        var packet = new byte[RtpPacket.HeaderSize + G711.SamplesPer20Ms];
        for (var n = 0; n < 5; n++)
            foreach (var s in list)
            {
                RtpPacket.WriteHeader(packet, n == 0, 0, (ushort)n, (uint)n * 160, 0x1234);
                sender.SendTo(packet, new IPEndPoint(IPAddress.Loopback, s.LocalPort));
            }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (list.Any(s => s.PacketsReceived < 5) && DateTime.UtcNow < deadline) await Task.Delay(20);
        var read = list.Count(s => s.PacketsReceived >= 5);
        var after = Heap();
        Console.WriteLine($"media state per call ({sessions} RtpSessions started, 5 packets read by {read}): {(after - before) / (double)sessions:F0} B of managed heap per session " +
                          $"(after a full GC; sockets included); thread-pool threads {threadsBefore} → {ThreadPool.ThreadCount}");
        foreach (var s in list) await s.DisposeAsync();
        GC.KeepAlive(list);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

/// <summary>
/// The shared RTP receive thread: datagrams of many calls' sockets reach the right sink with the right channel and
/// source, a disposed registration is never called again, and one sink that throws does not stop the others.
/// </summary>
public sealed class RtpReceiverTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly RtpReceiver _receiver = new(threads: 2);
    private readonly List<Socket> _sockets = [];

    [Fact]
    public async Task Each_sockets_datagrams_reach_its_own_sink_on_its_channel()
    {
        using var sender = Bound();
        var sinks = Enumerable.Range(0, 40).Select(_ => new RecordingSink()).ToArray();
        var pairs = sinks.Select(s => (Rtp: Bound(), Rtcp: Bound(), Sink: s)).ToArray();
        var registrations = pairs.Select(p => _receiver.Register(p.Rtp, p.Rtcp, p.Sink)).ToArray();
        for (var round = 0; round < 5; round++)
            for (var i = 0; i < pairs.Length; i++)
            {
                sender.SendTo(Payload(i, 0, round), pairs[i].Rtp.LocalEndPoint!);
                sender.SendTo(Payload(i, 1, round), pairs[i].Rtcp.LocalEndPoint!);
            }
        await WaitUntil(() => sinks.All(s => s.Received.Count == 10));

        var from = (IPEndPoint)sender.LocalEndPoint!;
        for (var i = 0; i < sinks.Length; i++)
        {
            var got = sinks[i].Received.ToArray();
            Assert.All(got, d => Assert.Equal(i, d.Call));
            Assert.All(got, d => Assert.Equal(d.Channel, d.TaggedChannel));
            Assert.All(got, d => Assert.Equal(from, d.Source));
            Assert.Equal(5, got.Count(d => d.Channel == 0));
            Assert.Equal(5, got.Count(d => d.Channel == 1));
            Assert.Equal(G711.SamplesPer20Ms, sinks[i].ScratchLength);
        }
        Assert.Equal(80, _receiver.Sockets);
        foreach (var r in registrations) r.Dispose();
        Assert.Equal(0, _receiver.Sockets);
    }

    [Fact]
    public async Task A_disposed_registration_is_never_called_again_even_with_datagrams_in_flight()
    {
        using var sender = Bound();
        var victim = new RecordingSink();
        var (rtp, rtcp) = (Bound(), Bound());
        var registration = _receiver.Register(rtp, rtcp, victim);
        using var flooding = new CancellationTokenSource();
        var flood = Task.Run(() =>
        {
            var n = 0;
            while (!flooding.IsCancellationRequested) sender.SendTo(Payload(0, 0, n++), rtp.LocalEndPoint!);
        });
        await WaitUntil(() => victim.Received.Count > 50);
        registration.Dispose();
        victim.Disposed = true; // from here on any call is a violation
        var afterDispose = victim.Received.Count;

        // A later sink on the same receiver proves its threads went on reading past the disposal.
        var witness = new RecordingSink();
        var (rtp2, rtcp2) = (Bound(), Bound());
        using var second = _receiver.Register(rtp2, rtcp2, witness);
        for (var i = 0; i < 20; i++) sender.SendTo(Payload(1, 0, i), rtp2.LocalEndPoint!);
        await WaitUntil(() => witness.Received.Count >= 20);
        await flooding.CancelAsync();
        await flood;

        Assert.Equal(0, victim.CallsAfterDispose);
        Assert.Equal(afterDispose, victim.Received.Count);
    }

    [Fact]
    public async Task A_sink_that_throws_does_not_stop_the_other_calls_media()
    {
        using var sender = Bound();
        var throwing = new RecordingSink { Throw = true };
        var healthy = new RecordingSink();
        var badRtp = Bound();
        using var bad = _receiver.Register(badRtp, Bound(), throwing);
        var (rtp, rtcp) = (Bound(), Bound());
        using var good = _receiver.Register(rtp, rtcp, healthy);
        for (var i = 0; i < 10; i++)
        {
            sender.SendTo(Payload(0, 0, i), badRtp.LocalEndPoint!);
            sender.SendTo(Payload(1, 0, i), rtp.LocalEndPoint!);
        }
        await WaitUntil(() => healthy.Received.Count == 10 && throwing.Received.Count == 10);
        Assert.Equal(10, throwing.Received.Count);
    }

    [Fact]
    public void A_socket_cannot_be_registered_on_a_disposed_receiver()
    {
        var receiver = new RtpReceiver();
        receiver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => receiver.Register(Bound(), Bound(), new RecordingSink()));
    }

    [Fact]
    public void Threads_wait_in_epoll_on_linux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), _receiver.UsesEpoll);
    }

    /// <summary>Call number, channel tag and round, so each datagram says where it was sent.</summary>
    private static byte[] Payload(int call, int channel, int round) => [(byte)call, (byte)channel, (byte)round, 0x80];

    private Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sockets.Add(s);
        return s;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        _receiver.Dispose();
        foreach (var s in _sockets) s.Dispose();
    }

    private sealed class RecordingSink : IDatagramSink
    {
        public readonly ConcurrentQueue<(int Call, int TaggedChannel, int Channel, IPEndPoint Source)> Received = new();
        public volatile bool Disposed;
        public int CallsAfterDispose;
        public bool Throw { get; init; }
        public int ScratchLength;

        public void OnDatagram(int channel, Span<byte> datagram, SocketAddress source, Span<short> scratch)
        {
            if (Disposed) Interlocked.Increment(ref CallsAfterDispose);
            ScratchLength = scratch.Length;
            Received.Enqueue((datagram[0], datagram[1], channel, (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(source)));
            if (Throw) throw new InvalidOperationException("a broken call");
        }
    }
}

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Telephony.Transport;

/// <summary>SIP over UDP: one socket, one receive loop handing each datagram to the signaling layer synchronously.</summary>
public sealed class UdpSipTransport(IPEndPoint listen, ILogger logger) : IDisposable
{
    private readonly Socket _socket = new(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Bind()
    {
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.Bind(listen);
    }

    public void Send(IPEndPoint to, byte[] message)
    {
        try
        {
            _socket.SendTo(message, SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            logger.LogDebug("SIP UDP send failed: {Error}", e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: a retransmission timer fired after the socket closed.
        }
    }

    /// <summary>The scheduling the receive thread got ("nice -15" when allowed, else "default").</summary>
    public string Scheduling { get; private set; } = "starting";

    /// <summary>
    /// Receives on a dedicated thread with blocking reads and hands each datagram to <paramref name="onDatagram"/> on it.
    /// Not an async loop: its completions would queue on the thread pool behind every call's RTP receive loop (with
    /// 1,000 calls the queue held hundreds of items, and INVITE→200 p99 was that wait; docs/voice.md). The thread polls
    /// with a 500 ms timeout to notice cancellation; the task completes when it has left.
    /// </summary>
    public Task RunAsync(Action<SipPeer, ReadOnlyMemory<byte>> onDatagram, CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Receive(onDatagram, cancellationToken);
                stopped.TrySetResult();
            }
            catch (Exception e)
            {
                stopped.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "sip-udp-receive",
        };
        thread.Start();
        return stopped.Task;
    }

    private void Receive(Action<SipPeer, ReadOnlyMemory<byte>> onDatagram, CancellationToken cancellationToken)
    {
        // Above the thread pool and other processes when allowed (never SCHED_FIFO: a SIP flood must not own a core).
        Scheduling = Rtp.PacerThreadPriority.Raise(realtime: false);
        var buffer = ArrayPool<byte>.Shared.Rent(65_536);
        EndPoint any = new IPEndPoint(listen.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int length;
                var from = any;
                try
                {
                    // Wakes up twice a second to look at the token (closing the socket under a blocked read is not relied on).
                    if (!_socket.Poll(500_000, SelectMode.SelectRead)) continue;
                    length = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
                }
                catch (ObjectDisposedException) { break; }
                catch (SocketException) when (cancellationToken.IsCancellationRequested) { break; }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.WouldBlock or SocketError.Interrupted)
                {
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Shutdown)
                {
                    break; // closed under us
                }
                try
                {
                    onDatagram(new SipPeer(SipTransportKind.Udp, (IPEndPoint)from), buffer.AsMemory(0, length));
                }
                catch (Exception e)
                {
                    logger.LogError(e, "SIP message handling failed");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _socket.Dispose();
}

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

    public async Task RunAsync(Action<SipPeer, ReadOnlyMemory<byte>> onDatagram, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(65_536);
        EndPoint any = new IPEndPoint(listen.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                }
                catch (OperationCanceledException) { break; }
                catch (ObjectDisposedException) { break; }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    continue;
                }
                try
                {
                    onDatagram(new SipPeer(SipTransportKind.Udp, (IPEndPoint)r.RemoteEndPoint), buffer.AsMemory(0, r.ReceivedBytes));
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

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Sip;

namespace Switchboard.Channels.Voice.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 §18.3): messages framed by Content-Length on each accepted connection; responses go back on
/// the connection the request came in on. A connection that sends garbage gets a 400 (when possible) and is closed.
/// </summary>
public sealed class TcpSipTransport(IPEndPoint listen, ILogger logger) : IDisposable
{
    public const int MaxConnections = 1_000;
    private readonly TcpListener _listener = new(listen);
    private int _connections;

    public void Start() => _listener.Start(256);

    public async Task RunAsync(Action<SipPeer, ReadOnlyMemory<byte>> onMessage, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(cancellationToken); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException) { continue; }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                socket.Dispose();
                continue;
            }
            _ = Task.Run(() => ServeAsync(socket, onMessage, cancellationToken), cancellationToken);
        }
    }

    private async Task ServeAsync(Socket socket, Action<SipPeer, ReadOnlyMemory<byte>> onMessage, CancellationToken cancellationToken)
    {
        var connection = new TcpSipConnection(socket);
        var peer = new SipPeer(SipTransportKind.Tcp, (IPEndPoint)socket.RemoteEndPoint!, connection);
        var buffer = ArrayPool<byte>.Shared.Rent(SipLimits.Default.MaxMessageBytes + 4096);
        var filled = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (filled == buffer.Length) return; // a message larger than the limit: drop the connection
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (n == 0) return;
                filled += n;
                while (filled > 0)
                {
                    var result = SipParser.Parse(buffer.AsSpan(0, filled), stream: true);
                    if (result.Status == SipParseStatus.Incomplete) break;
                    if (!result.Ok)
                    {
                        // Let the signaling layer answer 400 where it can, then close: framing is lost.
                        onMessage(peer, buffer.AsMemory(0, filled));
                        return;
                    }
                    onMessage(peer, buffer.AsMemory(0, result.Consumed));
                    Buffer.BlockCopy(buffer, result.Consumed, buffer, 0, filled - result.Consumed);
                    filled -= result.Consumed;
                    if (filled == 2 && buffer[0] == '\r' && buffer[1] == '\n') filled = 0; // keep-alive
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (Exception e) { logger.LogError(e, "SIP TCP connection failed"); }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            connection.Close();
            Interlocked.Decrement(ref _connections);
        }
    }

    public void Dispose() => _listener.Stop();

    private sealed class TcpSipConnection(Socket socket) : ISipConnection
    {
        private readonly Lock _lock = new();
        private volatile bool _open = true;

        public bool IsOpen => _open;

        public void Send(byte[] message)
        {
            if (!_open) return;
            try
            {
                lock (_lock) socket.Send(message);
            }
            catch (SocketException) { Close(); }
            catch (ObjectDisposedException) { _open = false; }
        }

        public void Close()
        {
            _open = false;
            socket.Dispose();
        }
    }
}

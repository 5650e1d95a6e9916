using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Sip;

namespace Switchboard.Telephony.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 §18.3), or over TLS (§26) when given server authentication options: messages framed by
/// Content-Length on each accepted connection; responses go back on the connection the request came in on. A connection
/// that sends garbage gets a 400 (when possible) and is closed; one that fails the TLS handshake is closed unread.
/// </summary>
public sealed class TcpSipTransport(IPEndPoint listen, ILogger logger, SslServerAuthenticationOptions? tls = null) : IDisposable
{
    public const int MaxConnections = 1_000;
    /// <summary>A client that connects and never finishes its handshake is dropped after this long.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpListener _listener = new(listen);
    private int _connections;

    private SipTransportKind Kind => tls is null ? SipTransportKind.Tcp : SipTransportKind.Tls;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

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
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        byte[]? buffer = null;
        SipStreamConnection? connection = null;
        try
        {
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(tls, handshake.Token);
            }
            connection = new SipStreamConnection(stream);
            var peer = new SipPeer(Kind, remote, connection);
            buffer = ArrayPool<byte>.Shared.Rent(SipLimits.Default.MaxMessageBytes + 4096);
            var filled = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (filled == buffer.Length) return; // a message larger than the limit: drop the connection
                var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
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
        catch (IOException) { }
        catch (SocketException) { }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            logger.LogInformation("SIP TLS handshake from {Address} failed: {Reason}", remote.Address, e.Message);
        }
        catch (Exception e) { logger.LogError(e, "SIP {Transport} connection failed", Kind); }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            if (connection is not null) connection.Close();
            else await stream.DisposeAsync();
            Interlocked.Decrement(ref _connections);
        }
    }

    public void Dispose() => _listener.Stop();

    /// <summary>One accepted connection; writes are serialised (SslStream allows one writer beside the reader).</summary>
    private sealed class SipStreamConnection(Stream stream) : ISipConnection
    {
        private readonly Lock _lock = new();
        private volatile bool _open = true;

        public bool IsOpen => _open;

        public void Send(byte[] message)
        {
            if (!_open) return;
            try
            {
                lock (_lock) stream.Write(message);
            }
            catch (IOException) { Close(); }
            catch (SocketException) { Close(); }
            catch (ObjectDisposedException) { _open = false; }
            catch (InvalidOperationException) { Close(); }
        }

        public void Close()
        {
            _open = false;
            stream.Dispose();
        }
    }
}

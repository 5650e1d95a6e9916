using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Switchboard.Telephony.Sip;

namespace Switchboard.Voice.Tests;

/// <summary>A SIP-over-TLS client for tests: pins the server certificate, optionally presents one, frames messages by Content-Length.</summary>
public sealed class TlsSipClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private SslStream? _ssl;
    private readonly byte[] _buffer = new byte[65_536];
    private int _filled;

    public IPEndPoint Local => (IPEndPoint)_tcp.Client.LocalEndPoint!;

    /// <summary>The certificate the server presented.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    public async Task ConnectAsync(int port, X509Certificate2 expectedServer, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        await _tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        _ssl = new SslStream(_tcp.GetStream(), false);
        await _ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            // Pinning: only the certificate the test configured on the server is accepted.
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                ServerCertificate = cert is null ? null : new X509Certificate2(cert);
                return cert is not null && cert.GetCertHashString() == expectedServer.GetCertHashString();
            },
        }, cancellationToken);
    }

    public async Task SendAsync(byte[] message, CancellationToken cancellationToken) => await _ssl!.WriteAsync(message, cancellationToken);

    /// <summary>Reads messages until one matches; null when the server closed the connection. Requests from the server get a 200.</summary>
    public async Task<SipMessage?> ReceiveAsync(Func<SipMessage, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_filled > 0)
            {
                var r = SipParser.Parse(_buffer.AsSpan(0, _filled), stream: true);
                if (r.Status == SipParseStatus.Incomplete) break;
                Assert.True(r.Ok, $"server sent a malformed message: {r.Reason}");
                Buffer.BlockCopy(_buffer, r.Consumed, _buffer, 0, _filled - r.Consumed);
                _filled -= r.Consumed;
                if (r.Message!.IsRequest)
                {
                    if (r.Message.Method != "ACK") await SendAsync(SipWriter.Response(r.Message, 200, "OK"), cancellationToken);
                    if (match(r.Message)) return r.Message;
                    continue;
                }
                if (match(r.Message)) return r.Message;
            }
            int n;
            try { n = await _ssl!.ReadAsync(_buffer.AsMemory(_filled), cancellationToken); }
            catch (IOException) { return null; }
            if (n == 0) return null;
            _filled += n;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ssl is not null) await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}

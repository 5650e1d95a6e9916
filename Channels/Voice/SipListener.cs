using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Security;
using Switchboard.Telephony.Transport;

namespace Switchboard.Channels.Voice;

/// <summary>Starts with the silo: binds SIP on UDP (and TCP) at <c>Sip:ListenAddress</c>:<c>Sip:Port</c> and feeds the signaling layer.</summary>
public sealed class SipListener(VoiceOptions options, VoiceSignaling signaling, ILoggerFactory loggers) : BackgroundService, ISipSender
{
    private readonly ILogger _logger = loggers.CreateLogger<SipListener>();
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private UdpSipTransport? _udp;
    private TcpSipTransport? _tcp;
    private TcpSipTransport? _tls;
    private readonly TaskCompletionSource<IPEndPoint> _tlsBound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The scheduling of the UDP receive thread (see <see cref="UdpSipTransport.Scheduling"/>).</summary>
    public string UdpScheduling => _udp?.Scheduling ?? "not listening";

    /// <summary>The bound UDP endpoint (useful with <c>Sip:Port=0</c>).</summary>
    public Task<IPEndPoint> Bound => _bound.Task;

    /// <summary>The bound SIP-over-TLS endpoint (useful with <c>Sip:Tls:Port=0</c>); faults when TLS is off or failed to start.</summary>
    public Task<IPEndPoint> TlsBound => _tlsBound.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(options.ListenAddress), options.Port);
        var udp = new UdpSipTransport(endpoint, loggers.CreateLogger<UdpSipTransport>());
        try
        {
            udp.Bind();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Another process (or another engine in the same test run) holds the port: keep the other channels up.
            udp.Dispose();
            _logger.LogError("SIP port {Address}:{Port} is in use; the voice channel is NOT listening (set Sip:Port, or Sip:Port=0 for any free port)",
                endpoint.Address, endpoint.Port);
            _bound.TrySetException(e);
            return Task.CompletedTask;
        }
        _udp = udp;
        var local = _udp.LocalEndPoint;
        if (options.EnableTcp)
        {
            try
            {
                _tcp = new TcpSipTransport(new IPEndPoint(local.Address, local.Port), loggers.CreateLogger<TcpSipTransport>());
                _tcp.Start();
            }
            catch (SocketException e)
            {
                _logger.LogError("SIP over TCP could not listen on port {Port} ({Error}); UDP only", local.Port, e.SocketErrorCode);
                _tcp?.Dispose();
                _tcp = null;
            }
        }
        if (options.Tls.Enabled) StartTls(local.Address);
        else _tlsBound.TrySetException(new InvalidOperationException("Sip:Tls:Enabled is false"));
        signaling.Attach(this, local.Port, _tls?.LocalEndPoint.Port ?? 0);
        _logger.LogInformation("SIP listening on {Address}:{Port} (UDP{Tcp}){Tls}", local.Address, local.Port, _tcp is null ? "" : "+TCP",
            _tls is null ? "" : $", TLS on {_tls.LocalEndPoint.Port}");
        _bound.TrySetResult(local);
        return base.StartAsync(cancellationToken);
    }

    private void StartTls(IPAddress address)
    {
        try
        {
            var tls = new TcpSipTransport(new IPEndPoint(address, options.Tls.Port), loggers.CreateLogger<TcpSipTransport>(),
                SipTlsCertificates.ServerOptions(options.Tls));
            tls.Start();
            _tls = tls;
            _tlsBound.TrySetResult(tls.LocalEndPoint);
        }
        catch (SocketException e)
        {
            _logger.LogError("SIP over TLS could not listen on port {Port} ({Error})", options.Tls.Port, e.SocketErrorCode);
            _tlsBound.TrySetException(e);
        }
    }

    /// <summary>How many runtime threads (GC, socket engine) were last reniced; 0 when not allowed or turned off.</summary>
    public int RuntimeThreadsRaised { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_udp is null) return Task.CompletedTask;
        var raise = options.RaiseRuntimeThreads ? RaiseRuntimeThreadsAsync(stoppingToken) : Task.CompletedTask;
        var udp = _udp.RunAsync((peer, data) => signaling.OnMessage(peer, data.Span), stoppingToken);
        var tcp = _tcp is null ? Task.CompletedTask
            : Task.Run(() => _tcp.RunAsync((peer, data) => signaling.OnMessage(peer, data.Span, stream: true), stoppingToken), stoppingToken);
        var tls = _tls is null ? Task.CompletedTask
            : Task.Run(() => _tls.RunAsync((peer, data) => signaling.OnMessage(peer, data.Span, stream: true), stoppingToken), stoppingToken);
        return Task.WhenAll(udp, tcp, tls, raise);
    }

    /// <summary>At start and every 30 s (background GC threads and the socket engine's thread appear lazily).</summary>
    private async Task RaiseRuntimeThreadsAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            RuntimeThreadsRaised = Telephony.Rtp.RuntimeThreadPriority.Raise();
            try { await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public void Send(SipPeer peer, byte[] message)
    {
        if (peer.Transport != SipTransportKind.Udp) peer.Connection?.Send(message);
        else _udp?.Send(peer.EndPoint, message);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await signaling.DisposeAsync();
        await base.StopAsync(cancellationToken);
        _udp?.Dispose();
        _tcp?.Dispose();
        _tls?.Dispose();
    }
}

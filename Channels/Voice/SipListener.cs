using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Channels.Voice.Transport;

namespace Switchboard.Channels.Voice;

/// <summary>Starts with the silo: binds SIP on UDP (and TCP) at <c>Sip:ListenAddress</c>:<c>Sip:Port</c> and feeds the signaling layer.</summary>
public sealed class SipListener(VoiceOptions options, VoiceSignaling signaling, ILoggerFactory loggers) : BackgroundService, ISipSender
{
    private readonly ILogger _logger = loggers.CreateLogger<SipListener>();
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private UdpSipTransport? _udp;
    private TcpSipTransport? _tcp;

    /// <summary>The bound UDP endpoint (useful with <c>Sip:Port=0</c>).</summary>
    public Task<IPEndPoint> Bound => _bound.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(options.ListenAddress), options.Port);
        _udp = new UdpSipTransport(endpoint, loggers.CreateLogger<UdpSipTransport>());
        _udp.Bind();
        var local = _udp.LocalEndPoint;
        if (options.EnableTcp)
        {
            _tcp = new TcpSipTransport(new IPEndPoint(local.Address, local.Port), loggers.CreateLogger<TcpSipTransport>());
            _tcp.Start();
        }
        signaling.Attach(this, local.Port);
        _logger.LogInformation("SIP listening on {Address}:{Port} (UDP{Tcp})", local.Address, local.Port, _tcp is null ? "" : "+TCP");
        _bound.TrySetResult(local);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var udp = Task.Run(() => _udp!.RunAsync((peer, data) => signaling.OnMessage(peer, data.Span), stoppingToken), stoppingToken);
        var tcp = _tcp is null ? Task.CompletedTask
            : Task.Run(() => _tcp.RunAsync((peer, data) => signaling.OnMessage(peer, data.Span, stream: true), stoppingToken), stoppingToken);
        return Task.WhenAll(udp, tcp);
    }

    public void Send(SipPeer peer, byte[] message)
    {
        if (peer.Transport == SipTransportKind.Tcp) peer.Connection?.Send(message);
        else _udp?.Send(peer.EndPoint, message);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await signaling.DisposeAsync();
        await base.StopAsync(cancellationToken);
        _udp?.Dispose();
        _tcp?.Dispose();
    }
}

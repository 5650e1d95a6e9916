using System.Net;
using System.Net.Sockets;

namespace Switchboard.Telephony.Rtp;

/// <summary>Hands out RTP/RTCP socket pairs (even port, port + 1) from the configured range, skipping ports someone else holds.</summary>
public sealed class RtpPortPool(IPAddress address, int minPort, int maxPort)
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _inUse = [];
    private int _next = minPort + (minPort & 1);

    public int InUse
    {
        get { lock (_lock) return _inUse.Count; }
    }

    /// <summary>A bound pair, or null when the range is exhausted.</summary>
    public (Socket Rtp, Socket Rtcp, int Port)? Rent()
    {
        var first = minPort + (minPort & 1);
        var slots = Math.Max(1, (maxPort - first + 1) / 2);
        lock (_lock)
        {
            for (var attempt = 0; attempt < slots; attempt++)
            {
                var port = _next;
                _next += 2;
                if (_next + 1 > maxPort) _next = first;
                if (_inUse.Contains(port)) continue;
                var rtp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                var rtcp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    rtp.Bind(new IPEndPoint(address, port));
                    rtcp.Bind(new IPEndPoint(address, port + 1));
                }
                catch (SocketException)
                {
                    rtp.Dispose();
                    rtcp.Dispose();
                    continue;
                }
                _inUse.Add(port);
                return (rtp, rtcp, port);
            }
        }
        return null;
    }

    public void Return(int port)
    {
        lock (_lock) _inUse.Remove(port);
    }
}

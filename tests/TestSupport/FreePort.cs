using System.Net;
using System.Net.Sockets;

namespace Switchboard.TestSupport;

public static class FreePort
{
    /// <summary>A TCP port nobody listens on right now (the OS picks it).</summary>
    public static int Tcp()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A UDP port nobody is bound to right now.</summary>
    public static int Udp()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}

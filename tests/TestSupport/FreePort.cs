using System.Net;
using System.Net.Sockets;

namespace Switchboard.TestSupport;

/// <summary>
/// Loopback ports for test servers, from 10000–19999: below Linux's ephemeral range (32768–60999), so an outbound
/// connection made meanwhile can never take a port between the moment it is handed out and the moment a server binds
/// it, and below the engine's RTP range (20000–29999). A port is handed out once per process; each process starts at
/// a random point of the range, and a port something else holds is skipped.
/// </summary>
public static class FreePort
{
    private const int First = 10_000, Last = 19_999;
    private static readonly HashSet<int> Given = [];
    private static int _next = First + Random.Shared.Next(Last - First + 1);

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int Tcp() => Take(Listenable);

    /// <summary>The first of <paramref name="count"/> consecutive TCP ports nobody listens on, all handed out (for a script that numbers ports from a base).</summary>
    public static int TcpRun(int count)
    {
        lock (Given)
        {
            for (var tried = 0; tried <= Last - First; tried++)
            {
                var first = _next;
                _next = _next + count > Last ? First : _next + count;
                if (first + count - 1 > Last) continue;
                var ports = Enumerable.Range(first, count).ToList();
                if (ports.Any(Given.Contains) || !ports.All(Listenable)) continue;
                Given.UnionWith(ports);
                return first;
            }
        }
        throw new InvalidOperationException($"No run of {count} free loopback ports left between {First} and {Last}.");
    }

    private static bool Listenable(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A UDP port nobody is bound to right now.</summary>
    public static int Udp() => Take(port =>
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    private static int Take(Func<int, bool> free)
    {
        lock (Given)
        {
            for (var tried = 0; tried <= Last - First; tried++)
            {
                var port = _next;
                _next = _next == Last ? First : _next + 1;
                // Something else holds it: try the next one.
                if (Given.Add(port) && free(port)) return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port left between {First} and {Last}.");
    }
}

using System.Net;
using System.Net.Sockets;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// An endpoint kept in its serialized form (<see cref="SocketAddress"/>), re-serialized only when the endpoint object
/// changes, so the receive path can check each datagram's source without making an <see cref="IPEndPoint"/> per packet.
/// One per compared endpoint of a session; not thread-safe.
/// </summary>
internal sealed class SerializedEndPoint
{
    private static readonly IPEndPoint AnyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint AnyV6 = new(IPAddress.IPv6Any, 0);
    private IPEndPoint? _for;
    private SocketAddress? _serialized;

    /// <summary>Whether <paramref name="source"/> is <paramref name="endPoint"/>. Byte equality first; when that fails the
    /// source is compared as an endpoint (a stranger's packet, or bytes that differ only in fields an endpoint ignores, such as
    /// IPv6 flow information), which allocates only on that path.</summary>
    public bool Matches(SocketAddress source, IPEndPoint endPoint)
    {
        if (!ReferenceEquals(endPoint, _for))
        {
            _serialized = endPoint.Serialize();
            _for = endPoint;
        }
        return source.Equals(_serialized) || ToEndPoint(source).Equals(endPoint);
    }

    /// <summary>Whether <paramref name="source"/> has <paramref name="endPoint"/>'s IP address (any port), without allocating for IPv4 and IPv6 sources.</summary>
    public bool MatchesAddress(SocketAddress source, IPEndPoint endPoint)
    {
        if (!ReferenceEquals(endPoint, _for))
        {
            _serialized = endPoint.Serialize();
            _for = endPoint;
        }
        // sockaddr_in: family, port, 4 address bytes at 4; sockaddr_in6: family, port, flow information, 16 address bytes at 8.
        var (offset, length) = source.Family switch
        {
            AddressFamily.InterNetwork => (4, 4),
            AddressFamily.InterNetworkV6 => (8, 16),
            _ => (0, 0),
        };
        if (length > 0 && _serialized!.Family == source.Family && source.Size >= offset + length && _serialized.Size >= offset + length)
            return source.Buffer.Span.Slice(offset, length).SequenceEqual(_serialized.Buffer.Span.Slice(offset, length));
        return ToEndPoint(source).Address.Equals(endPoint.Address);
    }

    public static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)(address.Family == AddressFamily.InterNetworkV6 ? AnyV6 : AnyV4).Create(address);
}

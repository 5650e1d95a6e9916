using System.Net;

namespace Switchboard.Telephony.Transport;

public enum SipTransportKind
{
    Udp,
    Tcp,
    /// <summary>SIP over TLS (RFC 3261 §26), port 5061 by default.</summary>
    Tls,
}

/// <summary>Where a message came from or goes to; a TCP peer carries its connection so responses go back on it.</summary>
public sealed record SipPeer(SipTransportKind Transport, IPEndPoint EndPoint, ISipConnection? Connection = null)
{
    public string ViaTransport => Transport switch
    {
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        _ => "UDP",
    };

    /// <summary>Reliable transports skip retransmissions (RFC 3261 §17: timers E/G/A only on UDP).</summary>
    public bool Reliable => Transport != SipTransportKind.Udp;

    /// <summary>Whether the signaling is encrypted on the wire (SIP over TLS).</summary>
    public bool Secure => Transport == SipTransportKind.Tls;
}

/// <summary>One accepted or opened stream connection.</summary>
public interface ISipConnection
{
    bool IsOpen { get; }

    void Send(byte[] message);
}

/// <summary>Sends a whole SIP message to a peer: UDP as one datagram, TCP on the peer's connection (or a new one).</summary>
public interface ISipSender
{
    void Send(SipPeer peer, byte[] message);
}

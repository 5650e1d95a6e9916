using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Dialogs;

public enum CallState
{
    /// <summary>UAS: INVITE received, not answered. UAC: INVITE sent, no final response.</summary>
    Ringing,
    /// <summary>200 OK sent, waiting for the ACK.</summary>
    Answered,
    Established,
    Ended,
}

/// <summary>
/// The state of one SIP dialog (RFC 3261 §12): Call-ID and tags, the parties, the remote target and route set, where
/// in-dialog requests go, the CSeq counters, and our 2xx awaiting its ACK. A call handler derives its call from it.
/// </summary>
public class SipDialog
{
    public required string CallId { get; init; }
    public required string LocalTag { get; init; }
    /// <summary>We sent the INVITE (UAC).</summary>
    public required bool Outbound { get; init; }
    public string? RemoteTag { get; set; }
    public CallState State { get; set; }

    /// <summary>Our side as it appears in From (UAC) or To (UAS), with our tag.</summary>
    public required string LocalParty { get; set; }
    public required string RemoteParty { get; set; }
    public string RemoteTarget { get; set; } = "";
    public List<string> RouteSet { get; set; } = [];
    /// <summary>Where in-dialog requests go: the INVITE's source (with rport, NAT friendly) or the SBC.</summary>
    public required SipPeer Peer { get; set; }
    public long LocalCSeq { get; set; } = 1;
    public long RemoteCSeq { get; set; }

    /// <summary>Retransmits our 2xx (to an INVITE or re-INVITE) until the ACK.</summary>
    public Retransmitter? OkRetransmitter { get; set; }
    public long PendingAckCSeq { get; set; } = -1;
}

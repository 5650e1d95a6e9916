using Switchboard.Channels.Voice.Rtp;
using Switchboard.Channels.Voice.Sdp;
using Switchboard.Channels.Voice.Sip;
using Switchboard.Channels.Voice.Transport;

namespace Switchboard.Channels.Voice.Calls;

public enum CallState
{
    /// <summary>UAS: INVITE received, not answered. UAC: INVITE sent, no final response.</summary>
    Ringing,
    /// <summary>200 OK sent, waiting for the ACK.</summary>
    Answered,
    Established,
    Ended,
}

/// <summary>The SIP dialog of one call (RFC 3261 §12) and what hangs off it: media, the conversation, pending timers.</summary>
public sealed class VoiceCall
{
    public required string CallId { get; init; }
    public required string LocalTag { get; init; }
    public required bool Outbound { get; init; }
    public required string Tenant { get; init; }
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

    public SipMessage? Invite { get; set; }
    public string? InviteTransactionKey { get; set; }
    public SessionDescription? Offer { get; set; }
    public NegotiatedMedia? Negotiated { get; set; }
    public long SdpSessionId { get; init; }
    public long SdpVersion { get; set; } = 1;
    public byte[]? LastAnswerBody { get; set; }

    public RtpSession? Media { get; set; }
    public CallConversation? Conversation { get; set; }
    public ITimer? AnswerTimer { get; set; }
    /// <summary>Retransmits our 2xx (to an INVITE or re-INVITE) until the ACK.</summary>
    public Retransmitter? OkRetransmitter { get; set; }
    public long PendingAckCSeq { get; set; } = -1;
    /// <summary>UAC: the ACK we sent for the 2xx, resent when the 2xx is retransmitted.</summary>
    public byte[]? AckForOk { get; set; }
    public TaskCompletionSource<OutboundCallResult>? OutboundResult { get; set; }
    public bool TransferPending { get; set; }
    /// <summary>UAC: what a CANCEL must copy from our INVITE.</summary>
    public OutboundInvite? OutboundInvite { get; set; }

    /// <summary>Our INVITE got a provisional response: only from then on may it be cancelled (RFC 3261 §9.1).</summary>
    public bool ProvisionalReceived { get; set; }

    /// <summary>A hang-up came before any provisional response: the CANCEL goes out when one arrives.</summary>
    public bool CancelWanted { get; set; }
}

public sealed record OutboundInvite(string RequestUri, string Branch, string Via);

/// <summary>How an outbound call attempt ended: <see cref="Status"/> 200 when answered.</summary>
public sealed record OutboundCallResult(string CallId, int Status, string Reason)
{
    public bool Answered => Status is >= 200 and < 300;
}

/// <summary>What journeys and agents use to act on calls.</summary>
public interface IVoiceCalls
{
    int ActiveCalls { get; }

    /// <summary>The Call-IDs of the calls up right now.</summary>
    IReadOnlyList<string> CallIds { get; }

    /// <summary>Calls <paramref name="number"/> through the configured SBC; completes when it is answered or fails.</summary>
    Task<OutboundCallResult> PlaceCallAsync(string number, string? tenant = null, CancellationToken cancellationToken = default);

    Task<bool> HangUpAsync(string callId);

    /// <summary>Blind transfer with REFER (RFC 3515) to <paramref name="targetUri"/> or the configured agent URI.</summary>
    Task<bool> TransferAsync(string callId, string? targetUri = null);
}

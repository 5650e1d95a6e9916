using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sdp;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transport;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>One call: its SIP dialog (RFC 3261 §12, <see cref="SipDialog"/>) and what hangs off it: the offer and answer, media, the conversation, pending timers.</summary>
public sealed class VoiceCall : SipDialog
{
    public required string Tenant { get; init; }

    /// <summary>UAS: the INVITE, until the ACK confirms the call (then null).</summary>
    public SipMessage? Invite { get; set; }
    public string? InviteTransactionKey { get; set; }
    public NegotiatedMedia? Negotiated { get; set; }
    public long SdpSessionId { get; init; }
    public long SdpVersion { get; set; } = 1;
    public byte[]? LastAnswerBody { get; set; }

    public RtpSession? Media { get; set; }
    public CallConversation? Conversation { get; set; }
    public ITimer? AnswerTimer { get; set; }
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

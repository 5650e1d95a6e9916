using Switchboard.Telephony.Security;

namespace Switchboard.Channels.Voice;

/// <summary>Configuration section <c>Sip</c>. Defaults take calls from loopback on 127.0.0.1:5060 with no further setup.</summary>
public sealed class VoiceOptions
{
    public const string Section = "Sip";

    /// <summary>Start the SIP listener with the silo.</summary>
    public bool Enabled { get; set; } = true;
    public string ListenAddress { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5060;
    /// <summary>Also accept SIP over TCP on the same port.</summary>
    public bool EnableTcp { get; set; } = true;
    /// <summary>SIP over TLS (RFC 3261 §26): off unless a certificate is configured and <c>Tls:Enabled</c> is set.</summary>
    public SipTlsOptions Tls { get; set; } = new();
    /// <summary>The address put in Contact, Via and SDP; defaults to <see cref="ListenAddress"/> (or 127.0.0.1 when that is a wildcard).</summary>
    public string? AdvertisedAddress { get; set; }
    /// <summary>Session timers (RFC 4028): the interval we ask for when the caller supports timers but named none, in seconds.</summary>
    public int SessionExpiresSeconds { get; set; } = 1800;
    /// <summary>The smallest session interval we accept (Min-SE; RFC 4028 says at least 90); smaller ones get 422.</summary>
    public int MinSessionExpiresSeconds { get; set; } = 90;
    /// <summary>Ring time before answering (180 Ringing is sent first). 0 answers at once.</summary>
    public int AnswerDelayMs { get; set; }
    public int RtpPortMin { get; set; } = 20_000;
    public int RtpPortMax { get; set; } = 29_999;
    public int MaxCalls { get; set; } = 2_000;
    /// <summary>Run the RTP pacer thread with SCHED_FIFO on Linux (needs root or CAP_SYS_NICE); otherwise it asks for nice -15.</summary>
    public bool RealtimePacer { get; set; }
    /// <summary>
    /// Renice the runtime's GC and socket-engine threads to -15 while the listener runs (Linux, root or CAP_SYS_NICE):
    /// a GC stops every call until its threads get a core (<see cref="Telephony.Rtp.RuntimeThreadPriority"/>).
    /// </summary>
    public bool RaiseRuntimeThreads { get; set; } = true;
    /// <summary>Digits are handed to the engine on # or after this long without another digit.</summary>
    public int InterDigitTimeoutMs { get; set; } = 3_000;

    /// <summary>Calls from loopback are accepted without the allow-list or credentials.</summary>
    public bool AllowLoopback { get; set; } = true;
    /// <summary>SBC addresses or CIDR ranges allowed to send requests (e.g. <c>10.0.0.5</c>, <c>192.0.2.0/24</c>).</summary>
    public List<string> AllowedSources { get; set; } = [];
    /// <summary>
    /// Trunks (addresses or CIDR ranges) that require encryption: their calls must come over SIP over TLS and offer
    /// SRTP (RTP/SAVP with SDES); anything else is refused (403 for the transport, 488 for the media).
    /// </summary>
    public List<string> EncryptedTrunks { get; set; } = [];
    /// <summary>Digest credentials accepted from sources not on the allow-list (RFC 8760: MD5 and SHA-256).</summary>
    public List<SipCredential> Credentials { get; set; } = [];
    public string Realm { get; set; } = "switchboard";
    /// <summary>Digest algorithms offered, most preferred first; empty means SHA-256 then MD5. Some peers (sipp) only do MD5.</summary>
    public List<string> DigestAlgorithms { get; set; } = [];

    /// <summary>Where REFER sends a caller the engine hands to a human (a reply action's target wins).</summary>
    public string? AgentUri { get; set; }
    /// <summary>The SBC outbound calls go through, <c>host:port</c>.</summary>
    public string? SbcAddress { get; set; }
    /// <summary>The user part of our From on outbound calls (the number customers see).</summary>
    public string OutboundCallerId { get; set; } = "switchboard";

    /// <summary>Folder of pre-recorded 8 kHz WAV prompts (see docs/voice.md); empty: tones only.</summary>
    public string? PromptsPath { get; set; }

    /// <summary>Who may send requests: the trunk settings above, for <see cref="TrunkGuard"/>.</summary>
    public TrunkPolicy TrunkPolicy() => new()
    {
        AllowLoopback = AllowLoopback,
        AllowedSources = AllowedSources,
        EncryptedTrunks = EncryptedTrunks,
        Credentials = Credentials,
        Realm = Realm,
        DigestAlgorithms = DigestAlgorithms,
    };

    public string Advertised => !string.IsNullOrWhiteSpace(AdvertisedAddress) ? AdvertisedAddress!
        : ListenAddress is "0.0.0.0" or "::" ? "127.0.0.1" : ListenAddress;
}

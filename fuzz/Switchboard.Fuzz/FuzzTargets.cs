using Switchboard.Fuzz.Targets;

namespace Switchboard.Fuzz;

/// <summary>A fuzz target: reads one input; returns on any outcome the code under test means to handle, throws only on a bug.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>Every target by name: the name is also the corpus folder (<c>fuzz/corpora/&lt;name&gt;/</c>).</summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["sip"] = SipTarget.Run,
        ["sdp"] = SdpTarget.Run,
        ["rtp"] = RtpTarget.Run,
        ["rtcp"] = RtpTarget.RunRtcp,
        ["dtmf"] = DtmfTarget.Run,
        ["whatsapp"] = WebhookTargets.WhatsApp,
        ["sms"] = WebhookTargets.Sms,
        ["rcs"] = WebhookTargets.Rcs,
        ["bot-yaml"] = BotYamlTarget.Run,
        ["pii"] = PiiTarget.Run,
    };
}

using Switchboard.Telephony.Sdp;

namespace Switchboard.Fuzz.Targets;

/// <summary>An SDP offer as an INVITE brings it: parsed, negotiated (plain and SRTP-only trunks), answered.</summary>
public static class SdpTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (!SessionDescription.TryParse(input, out var offer) || offer is null) return;
        foreach (var requireSrtp in (bool[])[false, true])
        {
            if (MediaNegotiation.Negotiate(offer, requireSrtp) is not { } chosen) continue;
            var key = chosen.RemoteCrypto is null ? null : new byte[SdesCrypto.KeyAndSaltLength];
            var answer = MediaNegotiation.Answer(offer, chosen, "127.0.0.1", 20_000, 1, 1, key);
            // Our own answer must parse: the peer reads it with a parser like this one.
            if (!SessionDescription.TryParse(answer, out _)) throw new InvalidOperationException("The SDP answer the engine wrote does not parse.");
        }
    }
}

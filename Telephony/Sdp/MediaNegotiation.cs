using System.Text;
using Switchboard.Telephony.Codecs;

namespace Switchboard.Telephony.Sdp;

/// <summary>What offer/answer agreed for the audio stream.</summary>
public sealed record NegotiatedMedia(int MediaIndex, AudioCodec Codec, int? TelephoneEventPayloadType, string RemoteAddress, int RemotePort,
    MediaDirection RemoteDirection)
{
    /// <summary>The peer's SDES key when the stream is RTP/SAVP (SRTP); null for plain RTP/AVP.</summary>
    public SdesCrypto? RemoteCrypto { get; init; }

    public bool Secure => RemoteCrypto is not null;

    /// <summary>The peer holds the call (RFC 3264 §8.4: sendonly/inactive, or the old c=0.0.0.0).</summary>
    public bool RemoteOnHold => RemoteDirection is MediaDirection.SendOnly or MediaDirection.Inactive || RemoteAddress == "0.0.0.0";

    /// <summary>Whether we may send audio: not when the peer holds us or only sends.</summary>
    public bool WeSend => RemoteDirection is MediaDirection.SendRecv or MediaDirection.RecvOnly && RemoteAddress != "0.0.0.0";
}

/// <summary>RFC 3264 offer/answer for one audio stream of G.711 (PCMU/PCMA) with optional RFC 4733 telephone-events, ptime 20.</summary>
public static class MediaNegotiation
{
    public const int DefaultTelephoneEventPayloadType = 101;

    public const string PlainProfile = "RTP/AVP";
    public const string SecureProfile = "RTP/SAVP";

    /// <summary>
    /// Picks the first offered audio stream with a codec we speak: RTP/AVP, or RTP/SAVP with an AES_CM_128_HMAC_SHA1_80
    /// key (RFC 4568); with <paramref name="requireSrtp"/> only the latter. Null when nothing matches (the caller answers 488).
    /// </summary>
    public static NegotiatedMedia? Negotiate(SessionDescription offer, bool requireSrtp = false)
    {
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var m = offer.Media[i];
            if (!m.Type.Equals("audio", StringComparison.OrdinalIgnoreCase) || m.Port == 0) continue;
            SdesCrypto? crypto = null;
            if (m.Protocol.Equals(SecureProfile, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var c in m.Crypto)
                    if (c.Usable) { crypto = c; break; }
                if (crypto is null) continue;
            }
            else if (requireSrtp || !m.Protocol.Equals(PlainProfile, StringComparison.OrdinalIgnoreCase)) continue;
            AudioCodec? codec = null;
            int? te = null;
            foreach (var f in m.Formats)
            {
                if (!int.TryParse(f, out var pt)) continue;
                m.RtpMaps.TryGetValue(pt, out var map);
                if (codec is null && pt == 0 && (map is null || map.StartsWith("PCMU/8000", StringComparison.OrdinalIgnoreCase)))
                    codec = AudioCodec.Pcmu;
                else if (codec is null && pt == 8 && (map is null || map.StartsWith("PCMA/8000", StringComparison.OrdinalIgnoreCase)))
                    codec = AudioCodec.Pcma;
                else if (te is null && map?.StartsWith("telephone-event/8000", StringComparison.OrdinalIgnoreCase) == true)
                    te = pt;
            }
            if (codec is null) continue;
            var address = m.ConnectionAddress ?? offer.ConnectionAddress;
            if (address is null) return null;
            return new NegotiatedMedia(i, codec.Value, te, address, m.Port, m.Direction) { RemoteCrypto = crypto };
        }
        return null;
    }

    /// <summary>
    /// The answer: the same m-lines in order, ours filled in, the rest refused with port 0. An SRTP stream is answered
    /// RTP/SAVP with the offer's crypto tag and <paramref name="localKey"/> (our 30-byte master key and salt).
    /// </summary>
    public static byte[] Answer(SessionDescription offer, NegotiatedMedia chosen, string localAddress, int localPort, long sessionId, long version,
        ReadOnlySpan<byte> localKey = default)
    {
        if (chosen.Secure && localKey.Length != SdesCrypto.KeyAndSaltLength) throw new ArgumentException("An SRTP answer needs our 30-byte key.", nameof(localKey));
        var sb = Header(localAddress, sessionId, version);
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var m = offer.Media[i];
            if (i != chosen.MediaIndex)
            {
                sb.Append("m=").Append(m.Type).Append(" 0 ").Append(m.Protocol).Append(' ').Append(m.Formats.Count > 0 ? m.Formats[0] : "0").Append("\r\n");
                continue;
            }
            var direction = chosen.RemoteDirection switch
            {
                MediaDirection.SendOnly => "recvonly",
                MediaDirection.RecvOnly => "sendonly",
                MediaDirection.Inactive => "inactive",
                _ => chosen.RemoteAddress == "0.0.0.0" ? "inactive" : "sendrecv",
            };
            AudioLines(sb, localPort, chosen.Codec, chosen.TelephoneEventPayloadType, direction, chosen.Secure ? SecureProfile : PlainProfile);
            if (chosen.RemoteCrypto is { } crypto) sb.Append("a=crypto:").Append(SdesCrypto.Format(crypto.Tag, localKey)).Append("\r\n");
        }
        return Sip.SipText.ToBytesAndRelease(sb);
    }

    /// <summary>Our offer for an outbound call: PCMU, PCMA and telephone-event 101.</summary>
    public static byte[] Offer(string localAddress, int localPort, long sessionId)
    {
        var sb = Header(localAddress, sessionId, 1);
        sb.Append("m=audio ").Append(localPort).Append(" RTP/AVP 0 8 ").Append(DefaultTelephoneEventPayloadType).Append("\r\n");
        sb.Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
        sb.Append("a=rtpmap:").Append(DefaultTelephoneEventPayloadType).Append(" telephone-event/8000\r\n");
        sb.Append("a=fmtp:").Append(DefaultTelephoneEventPayloadType).Append(" 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
        return Sip.SipText.ToBytesAndRelease(sb);
    }

    private static StringBuilder Header(string localAddress, long sessionId, long version)
    {
        var ipv = localAddress.Contains(':') ? "IP6" : "IP4";
        var sb = Sip.SipText.Acquire(300);
        sb.Append("v=0\r\n");
        sb.Append("o=switchboard ").Append(sessionId).Append(' ').Append(version).Append(" IN ").Append(ipv).Append(' ').Append(localAddress).Append("\r\n");
        sb.Append("s=switchboard\r\n");
        sb.Append("c=IN ").Append(ipv).Append(' ').Append(localAddress).Append("\r\n");
        sb.Append("t=0 0\r\n");
        return sb;
    }

    private static void AudioLines(StringBuilder sb, int port, AudioCodec codec, int? te, string direction, string profile)
    {
        sb.Append("m=audio ").Append(port).Append(' ').Append(profile).Append(' ').Append((int)codec);
        if (te is { } t) sb.Append(' ').Append(t);
        sb.Append("\r\n");
        sb.Append("a=rtpmap:").Append((int)codec).Append(' ').Append(codec.RtpMapName()).Append("/8000\r\n");
        if (te is { } p) sb.Append("a=rtpmap:").Append(p).Append(" telephone-event/8000\r\na=fmtp:").Append(p).Append(" 0-15\r\n");
        sb.Append("a=ptime:20\r\n");
        sb.Append("a=").Append(direction).Append("\r\n");
    }
}

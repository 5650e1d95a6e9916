namespace Switchboard.Telephony.Codecs;

/// <summary>The audio codecs we speak, by their static RTP payload type (RFC 3551).</summary>
public enum AudioCodec
{
    Pcmu = 0,
    Pcma = 8,
}

public static class AudioCodecNames
{
    public static string RtpMapName(this AudioCodec codec) => codec == AudioCodec.Pcma ? "PCMA" : "PCMU";
}

namespace Switchboard.Telephony.Codecs;

/// <summary>
/// ITU-T G.711 µ-law and A-law, table driven: decoding is one 256-entry lookup, encoding one 65,536-entry lookup
/// (built once from the reference segment algorithm). Checked exhaustively against sox in the tests.
/// </summary>
public static class G711
{
    public const int SamplesPer20Ms = 160;
    public const byte MuLawSilence = 0xFF;
    public const byte ALawSilence = 0xD5;

    private static readonly short[] MuLawToLinear = new short[256];
    private static readonly short[] ALawToLinear = new short[256];
    private static readonly byte[] LinearToMuLaw = new byte[65536];
    private static readonly byte[] LinearToALaw = new byte[65536];

    static G711()
    {
        for (var i = 0; i < 256; i++)
        {
            MuLawToLinear[i] = DecodeMuLawSlow((byte)i);
            ALawToLinear[i] = DecodeALawSlow((byte)i);
        }
        for (var i = 0; i < 65536; i++)
        {
            var pcm = (short)(i - 32768);
            LinearToMuLaw[i] = EncodeMuLawSlow(pcm);
            LinearToALaw[i] = EncodeALawSlow(pcm);
        }
    }

    public static short DecodeMuLaw(byte code) => MuLawToLinear[code];

    public static short DecodeALaw(byte code) => ALawToLinear[code];

    public static byte EncodeMuLaw(short pcm) => LinearToMuLaw[pcm + 32768];

    public static byte EncodeALaw(short pcm) => LinearToALaw[pcm + 32768];

    public static void Encode(AudioCodec codec, ReadOnlySpan<short> pcm, Span<byte> encoded)
    {
        var table = codec == AudioCodec.Pcma ? LinearToALaw : LinearToMuLaw;
        for (var i = 0; i < pcm.Length; i++) encoded[i] = table[pcm[i] + 32768];
    }

    public static void Decode(AudioCodec codec, ReadOnlySpan<byte> encoded, Span<short> pcm)
    {
        var table = codec == AudioCodec.Pcma ? ALawToLinear : MuLawToLinear;
        for (var i = 0; i < encoded.Length; i++) pcm[i] = table[encoded[i]];
    }

    public static byte Silence(AudioCodec codec) => codec == AudioCodec.Pcma ? ALawSilence : MuLawSilence;

    private static readonly int[] MuSegmentEnds = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    private static readonly int[] ASegmentEnds = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

    private static int Segment(int value, int[] ends)
    {
        for (var i = 0; i < ends.Length; i++)
            if (value <= ends[i]) return i;
        return ends.Length;
    }

    // 14-bit magnitude (rounded to nearest, as sox does), bias 33, 8 segments; the code is sent inverted.
    private static byte EncodeMuLawSlow(short sample)
    {
        var pcm = Math.Min((sample + 2) >> 2, 8191);
        int mask;
        if (pcm < 0) { pcm = -pcm; mask = 0x7F; } else mask = 0xFF;
        if (pcm > 8159) pcm = 8159;
        pcm += 0x21;
        var seg = Segment(pcm, MuSegmentEnds);
        if (seg >= 8) return (byte)(0x7F ^ mask);
        return (byte)(((seg << 4) | ((pcm >> (seg + 1)) & 0xF)) ^ mask);
    }

    private static short DecodeMuLawSlow(byte code)
    {
        int u = ~code & 0xFF;
        var t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    // 13-bit magnitude (rounded to nearest), even bits inverted (0x55).
    private static byte EncodeALawSlow(short sample)
    {
        var pcm = Math.Min((sample + 4) >> 3, 4095);
        int mask;
        if (pcm >= 0) mask = 0xD5; else { mask = 0x55; pcm = -pcm - 1; }
        var seg = Segment(pcm, ASegmentEnds);
        if (seg >= 8) return (byte)(0x7F ^ mask);
        var a = seg << 4;
        a |= seg < 2 ? (pcm >> 1) & 0x0F : (pcm >> seg) & 0x0F;
        return (byte)(a ^ mask);
    }

    private static short DecodeALawSlow(byte code)
    {
        int a = code ^ 0x55;
        var t = (a & 0x0F) << 4;
        var seg = (a & 0x70) >> 4;
        switch (seg)
        {
            case 0: t += 8; break;
            case 1: t += 0x108; break;
            default: t += 0x108; t <<= seg - 1; break;
        }
        return (short)((a & 0x80) != 0 ? t : -t);
    }
}

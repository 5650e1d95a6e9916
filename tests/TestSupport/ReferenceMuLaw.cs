namespace Switchboard.TestSupport;

/// <summary>
/// G.711 µ-law (ITU-T G.711) written independently of the product's codec, so tests that build telephone audio with it
/// cannot hide a codec bug in the product.
/// </summary>
public static class ReferenceMuLaw
{
    public static byte Encode(short sample)
    {
        const int bias = 0x84, clip = 32635;
        int s = sample;
        var sign = s < 0 ? 0x80 : 0;
        if (s < 0) s = -s;
        if (s > clip) s = clip;
        s += bias;
        var exponent = 7;
        for (var mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        var mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    public static short Decode(byte encoded)
    {
        int u = ~encoded & 0xFF;
        var t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }
}

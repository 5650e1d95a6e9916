namespace Switchboard.Speech.Tests;

/// <summary>
/// What a phone line does to audio: G.711 µ-law encode and decode (the test's own small codec, so these tests do not
/// depend on the transport's), in 20 ms frames.
/// </summary>
internal static class TelephoneLine
{
    public static short[] MuLawRoundTrip(ReadOnlySpan<short> pcm)
    {
        var result = new short[pcm.Length];
        for (var i = 0; i < pcm.Length; i++) result[i] = MuLawDecode(MuLawEncode(pcm[i]));
        return result;
    }

    public static byte MuLawEncode(short sample)
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

    public static short MuLawDecode(byte encoded)
    {
        int u = ~encoded & 0xFF;
        var t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    public static IEnumerable<ReadOnlyMemory<short>> Frames(short[] audio, int frameSamples = 160)
    {
        for (var i = 0; i < audio.Length; i += frameSamples)
            yield return audio.AsMemory(i, Math.Min(frameSamples, audio.Length - i));
    }

    public static short[] Silence(TimeSpan duration) => new short[(int)(duration.TotalSeconds * 8000)];

    public static short[] Concat(params short[][] parts) => [.. parts.SelectMany(p => p)];
}

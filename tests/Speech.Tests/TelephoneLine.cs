using Switchboard.TestSupport;

namespace Switchboard.Speech.Tests;

/// <summary>
/// What a phone line does to audio: G.711 µ-law encode and decode (TestSupport's reference codec, so these tests do not
/// depend on the transport's), in 20 ms frames.
/// </summary>
internal static class TelephoneLine
{
    public static short[] MuLawRoundTrip(ReadOnlySpan<short> pcm)
    {
        var result = new short[pcm.Length];
        for (var i = 0; i < pcm.Length; i++) result[i] = ReferenceMuLaw.Decode(ReferenceMuLaw.Encode(pcm[i]));
        return result;
    }

    public static IEnumerable<ReadOnlyMemory<short>> Frames(short[] audio, int frameSamples = 160)
    {
        for (var i = 0; i < audio.Length; i += frameSamples)
            yield return audio.AsMemory(i, Math.Min(frameSamples, audio.Length - i));
    }

    public static short[] Silence(TimeSpan duration) => new short[(int)(duration.TotalSeconds * 8000)];

    public static short[] Concat(params short[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A caller's answer as the recogniser gets it: 300 ms of silence either side, through a µ-law round trip.</summary>
    public static short[] Answer(short[] speech) =>
        MuLawRoundTrip(Concat(Silence(TimeSpan.FromMilliseconds(300)), speech, Silence(TimeSpan.FromMilliseconds(300))));
}

using System.Runtime.CompilerServices;
using Switchboard.Telephony.Codecs;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// G.711 encodings of prompt audio, kept as long as the PCM array they were made from (the prompt cache hands every
/// call the same array for the same prompt). 1,000 calls reaching one menu encode it once per law instead of 1,000
/// times: in the voice benchmark that per-call copy was a large share of the bytes allocated during the hold. The
/// encoded arrays are shared and only read (playback copies frames out of them).
/// </summary>
internal static class EncodedPrompts
{
    private static readonly ConditionalWeakTable<short[], byte[]> MuLaw = new();
    private static readonly ConditionalWeakTable<short[], byte[]> ALaw = new();

    public static byte[] Get(AudioCodec codec, short[] pcm8kHz)
    {
        var table = codec == AudioCodec.Pcma ? ALaw : MuLaw;
        return table.GetValue(pcm8kHz, pcm =>
        {
            var encoded = new byte[pcm.Length];
            G711.Encode(codec, pcm, encoded);
            return encoded;
        });
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Switchboard.Channels.Voice.Media;

/// <summary>
/// The speech-free default <see cref="IPromptAudio"/>: pre-recorded 8 kHz 16-bit mono WAV files in a folder, one per
/// prompt, named <see cref="FileNameFor"/>(text). A prompt with no recording plays a short tone and a pause, so a
/// DTMF dialog still flows (the caller hears that it is their turn).
/// </summary>
public sealed class WavPromptAudio(string? folder, ILogger<WavPromptAudio> logger) : IPromptAudio
{
    private static readonly short[] Fallback = ToneThenSilence(440, toneMs: 200, silenceMs: 300);
    private readonly ConcurrentDictionary<string, short[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The file a prompt's recording is looked up under: the first 16 hex digits of SHA-256 of the normalised text, ".wav".</summary>
    public static string FileNameFor(string speakableText)
    {
        var normal = string.Join(' ', speakableText.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normal)))[..16] + ".wav";
    }

    public async ValueTask<short[]> Render8kHzAsync(string speakableText, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(folder)) return Fallback;
        var name = FileNameFor(speakableText);
        if (_cache.TryGetValue(name, out var cached)) return cached;
        var path = Path.Combine(folder, name);
        if (!File.Exists(path)) return Fallback;
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        if (!TryReadPcm8k(bytes, out var samples))
        {
            logger.LogWarning("Prompt recording {File} is not 8 kHz 16-bit mono PCM; playing the tone instead", name);
            return Fallback;
        }
        _cache.TryAdd(name, samples);
        return samples;
    }

    /// <summary>Reads the samples of a RIFF/WAVE file holding 8 kHz, 16-bit, mono PCM.</summary>
    public static bool TryReadPcm8k(ReadOnlySpan<byte> wav, out short[] samples)
    {
        samples = [];
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8)) return false;
        var offset = 12;
        var formatOk = false;
        while (offset + 8 <= wav.Length)
        {
            var id = wav.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(wav[(offset + 4)..]), int.MaxValue);
            var body = offset + 8;
            if (size < 0 || body + (long)size > wav.Length) size = wav.Length - body;
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                var f = wav.Slice(body, 16);
                formatOk = BinaryPrimitives.ReadUInt16LittleEndian(f) == 1 && BinaryPrimitives.ReadUInt16LittleEndian(f[2..]) == 1
                    && BinaryPrimitives.ReadUInt32LittleEndian(f[4..]) == 8000 && BinaryPrimitives.ReadUInt16LittleEndian(f[14..]) == 16;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!formatOk) return false;
                var data = wav.Slice(body, size & ~1);
                samples = new short[data.Length / 2];
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
                return true;
            }
            offset = body + size + (size & 1);
        }
        return false;
    }

    /// <summary>Writes 8 kHz 16-bit mono PCM as a WAV file (for recording prompts and for tests).</summary>
    public static byte[] ToWav(ReadOnlySpan<short> samples)
    {
        var bytes = new byte[44 + samples.Length * 2];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(36 + samples.Length * 2));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], 8000);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 16000);
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)(samples.Length * 2));
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(44 + 2 * i)..], samples[i]);
        return bytes;
    }

    public static short[] ToneThenSilence(double hz, int toneMs, int silenceMs)
    {
        var tone = toneMs * 8;
        var samples = new short[tone + silenceMs * 8];
        for (var i = 0; i < tone; i++)
        {
            var fade = Math.Min(1.0, Math.Min(i, tone - i) / 80.0); // 10 ms ramps, no clicks
            samples[i] = (short)(6000 * fade * Math.Sin(2 * Math.PI * hz * i / 8000));
        }
        return samples;
    }
}

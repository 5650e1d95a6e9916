using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NAudio.Wave;

namespace Switchboard.Telephony.Media;

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

    /// <summary>Reads the samples of a RIFF/WAVE file holding 8 kHz, 16-bit, mono PCM (NAudio's reader walks the chunks).</summary>
    public static bool TryReadPcm8k(ReadOnlySpan<byte> wav, out short[] samples)
    {
        samples = [];
        try
        {
            using var reader = new WaveFileReader(new MemoryStream(wav.ToArray(), writable: false));
            var f = reader.WaveFormat;
            if (f.Encoding != WaveFormatEncoding.Pcm || f.Channels != 1 || f.SampleRate != 8000 || f.BitsPerSample != 16) return false;
            var bytes = new byte[reader.Length & ~1];
            var read = 0;
            while (read < bytes.Length && reader.Read(bytes, read, bytes.Length - read) is var n and > 0) read += n;
            samples = new short[read / 2];
            Buffer.BlockCopy(bytes, 0, samples, 0, read & ~1);
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes 8 kHz 16-bit mono PCM as a WAV file (for recording prompts and for tests).</summary>
    public static byte[] ToWav(ReadOnlySpan<short> samples)
    {
        var output = new MemoryStream();
        using (var writer = new WaveFileWriter(output, new WaveFormat(8000, 16, 1)))
        {
            var bytes = new byte[samples.Length * 2];
            for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
            writer.Write(bytes, 0, bytes.Length);
        }
        return output.ToArray();
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

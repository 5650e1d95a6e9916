using System.Buffers.Binary;
using System.Diagnostics;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// A caller's recorded speech, made the way a test lab would: the espeak-ng command line speaks the phrase to a WAV,
/// sox turns it into 8 kHz 16-bit mono telephone audio, without dither (<c>-D</c>) so every run hears the same samples.
/// Independent of the product's own text-to-speech.
/// </summary>
public static class CustomerVoice
{
    public static async Task<short[]> SayAsync(string text, string voice = "en-us", int wordsPerMinute = 150)
    {
        var dir = Directory.CreateTempSubdirectory("voice-");
        try
        {
            var wide = Path.Combine(dir.FullName, "wide.wav");
            var narrow = Path.Combine(dir.FullName, "narrow.wav");
            await RunAsync("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(), "-w", wide, text]);
            await RunAsync("sox", ["-D", wide, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", narrow]);
            return ReadPcm(await File.ReadAllBytesAsync(narrow));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>An answering machine's beep: a sine made by sox at 8 kHz (quieter than full scale, as on a real line).</summary>
    public static async Task<short[]> BeepAsync(double hz = 1000, double seconds = 0.5)
    {
        var dir = Directory.CreateTempSubdirectory("beep-");
        try
        {
            var wav = Path.Combine(dir.FullName, "beep.wav");
            await RunAsync("sox", ["-D", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", wav,
                "synth", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "sine", hz.ToString(System.Globalization.CultureInfo.InvariantCulture), "vol", "0.3"]);
            return ReadPcm(await File.ReadAllBytesAsync(wav));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static async Task RunAsync(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({p.ExitCode}): {await err}");
    }

    /// <summary>Where a WAV file's samples start (its data chunk, found by walking the chunks).</summary>
    public static int DataChunkOffset(byte[] wav)
    {
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(offset + 4));
            if (wav.AsSpan(offset, 4).SequenceEqual("data"u8)) return offset + 8;
            offset += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }

    /// <summary>The samples of a 16-bit PCM WAV file (data chunk found by walking the chunks).</summary>
    public static short[] ReadPcm(byte[] wav)
    {
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(offset + 4));
            if (wav.AsSpan(offset, 4).SequenceEqual("data"u8))
            {
                size = Math.Min(size, wav.Length - offset - 8);
                var samples = new short[size / 2];
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(offset + 8 + 2 * i));
                return samples;
            }
            offset += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }
}

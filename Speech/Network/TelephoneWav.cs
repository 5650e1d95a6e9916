using NAudio.Wave;
using Switchboard.Speech.Audio;

namespace Switchboard.Speech.Network;

/// <summary>WAV in and out of the telephone format (8 kHz, 16-bit, mono), with NAudio's reader and writer.</summary>
public static class TelephoneWav
{
    /// <summary>A WAV file of 8 kHz 16-bit mono samples.</summary>
    public static byte[] Encode(ReadOnlySpan<short> samples)
    {
        using var memory = new MemoryStream(44 + samples.Length * 2);
        // NAudio 3 leaves a caller's stream open. WAV samples are little-endian, as this machine's shorts are.
        using (var writer = new WaveFileWriter(memory, new WaveFormat(TelephoneAudio.SampleRate, 16, 1)))
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples));
        return memory.ToArray();
    }

    /// <summary>Any PCM or IEEE-float WAV (any rate, mono or stereo) as 8 kHz 16-bit mono samples.</summary>
    /// <exception cref="FormatException">The bytes are not a WAV file NAudio can read.</exception>
    public static short[] DecodeToTelephone(ReadOnlyMemory<byte> wav)
    {
        WaveFileReader reader;
        try
        {
            reader = new WaveFileReader(new MemoryStream(wav.ToArray(), writable: false));
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new FormatException("The server's audio is not a WAV file.", e);
        }
        using (reader)
        {
            ISampleProvider source = reader.ToSampleProvider();
            if (source.WaveFormat.Channels == 2) source = source.ToMono();
            else if (source.WaveFormat.Channels != 1) throw new FormatException($"The server's audio has {source.WaveFormat.Channels} channels.");
            var rate = source.WaveFormat.SampleRate;
            var pcm = new List<short>((int)(reader.SampleCount));
            var buffer = new float[4096];
            int read;
            while ((read = source.Read(buffer)) > 0)
                for (var i = 0; i < read; i++) pcm.Add(TelephoneAudio.Clip(buffer[i] * 32767.0));
            if (pcm.Count == 0 || rate == TelephoneAudio.SampleRate) return [.. pcm];
            var resampler = new StreamingResampler(rate, TelephoneAudio.SampleRate);
            var output = new List<short>(pcm.Count * TelephoneAudio.SampleRate / rate + 64);
            resampler.Process(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pcm), output);
            resampler.Flush(output);
            return [.. output];
        }
    }
}

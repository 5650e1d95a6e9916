using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Speech.Audio;
using static Switchboard.Channels.Voice.Speech.Flite.FliteNative;

namespace Switchboard.Channels.Voice.Speech.Flite;

/// <summary>
/// Embedded text-to-speech with Debian's flite and its <c>kal</c> voice, which speaks natively at 8 kHz (no
/// resampling). flite synthesises a whole prompt in milliseconds; the result is handed out in 200 ms chunks.
/// </summary>
public sealed class FliteTextToSpeech : ITextToSpeech
{
    private const int ChunkSamples = 1600;
    private static readonly Lock Native = new();
    private static IntPtr _kal;

    public FliteTextToSpeech(ILogger<FliteTextToSpeech> logger)
    {
        UnavailableReason = NativeLibraryProbe.MissingReason((Library, "libflite1"), (KalVoice, "libflite1"));
        if (UnavailableReason is null)
        {
            lock (Native)
            {
                if (_kal == IntPtr.Zero)
                {
                    flite_init();
                    _kal = register_cmu_us_kal(IntPtr.Zero);
                }
                if (_kal == IntPtr.Zero) UnavailableReason = "flite could not register the kal voice";
            }
        }
        if (UnavailableReason is not null)
            logger.LogWarning("Text-to-speech flite unavailable: {Reason}. Prompts fall back to recorded audio.", UnavailableReason);
    }

    public string Engine => "flite";

    public string DefaultVoice => "kal";

    public bool IsAvailable => UnavailableReason is null;

    public string? UnavailableReason { get; }

    public async IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsAvailable) throw new InvalidOperationException($"Text-to-speech is unavailable: {UnavailableReason}.");
        if (voice is not null && voice != DefaultVoice) throw new ArgumentException($"flite offers only the '{DefaultVoice}' voice here.", nameof(voice));
        if (string.IsNullOrWhiteSpace(text)) yield break;
        var samples = await Task.Run(() => Synthesize(text), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < samples.Length; i += ChunkSamples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return samples[i..Math.Min(samples.Length, i + ChunkSamples)];
        }
    }

    private static short[] Synthesize(string text)
    {
        lock (Native)
        {
            var wavePtr = flite_text_to_wave(text, _kal);
            if (wavePtr == IntPtr.Zero) throw new InvalidOperationException("flite synthesis failed.");
            try
            {
                var wave = Marshal.PtrToStructure<Wave>(wavePtr);
                if (wave.ChannelCount != 1) throw new InvalidOperationException($"flite returned {wave.ChannelCount} channels.");
                var samples = new short[wave.SampleCount];
                if (samples.Length > 0) Marshal.Copy(wave.Samples, samples, 0, samples.Length);
                if (wave.SampleRate == TelephoneAudio.SampleRate) return samples;
                var resampler = new StreamingResampler(wave.SampleRate, TelephoneAudio.SampleRate);
                var output = new List<short>(samples.Length * TelephoneAudio.SampleRate / wave.SampleRate + 64);
                resampler.Process(samples, output);
                resampler.Flush(output);
                return [.. output];
            }
            finally
            {
                delete_wave(wavePtr);
            }
        }
    }
}
